/**
 * Tests of src/transport/refusal.ts without a socket (STYLE principle 5: status, headers,
 * JSON-RPC error and log reason decided together, in one place). Every kind is checked against a
 * golden row written here, with and without an allowed Origin; then the facts (request id,
 * Retry-After, challenge, Allow, the classifier's error, log details) and the table's hygiene.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { Unavailable } from '../../src/protocol/domain-errors.ts';
import { wireErrorFor } from '../../src/protocol/wire-errors.ts';
import { answerRefusal, inBandHead, isRefusal, NO_CORS, REFUSALS, type Refusal, type RefusalEntry, type RefusalKind } from '../../src/transport/refusal.ts';
import { inBandRefusal } from '../../src/transport/response-channel.ts';
import { CHALLENGE, KINDS, SAMPLES } from './refusal-samples.ts';

const BAD = ErrorCode.InvalidRequest;
const CLOSE = { connection: 'close' } as const;

/** Status, JSON-RPC code, headers besides CORS, and log reason of each sample in refusal-samples.ts. */
const GOLDEN: { readonly [K in RefusalKind]: readonly [number, number, Record<string, string | number>, string] } = {
  originForbidden: [403, BAD, {}, 'originForbidden'],
  hostForbidden: [403, BAD, {}, 'hostForbidden'],
  methodNotAllowed: [405, BAD, { allow: 'GET, POST, DELETE, OPTIONS' }, 'methodNotAllowed'],
  notFound: [404, BAD, {}, 'notFound'],
  tooManyHeaders: [431, BAD, CLOSE, 'tooManyHeaders'],
  headersTooLarge: [431, BAD, CLOSE, 'headersTooLarge'],
  badHost: [400, BAD, CLOSE, 'badHost'],
  badTarget: [400, BAD, CLOSE, 'badTarget'],
  unsupportedTransferCoding: [501, BAD, CLOSE, 'unsupportedTransferCoding'],
  unframedBody: [400, BAD, CLOSE, 'unframedBody'],
  malformedRequest: [400, BAD, CLOSE, 'malformedRequest'],
  requestTimeout: [408, BAD, CLOSE, 'requestTimeout'],
  duplicateHeader: [400, BAD, {}, 'duplicateHeader'],
  missingToken: [401, BAD, { 'www-authenticate': CHALLENGE }, 'no Authorization header'],
  invalidToken: [401, BAD, { 'www-authenticate': 'Bearer error="invalid_token", error_description="expired"' }, 'token expired at 2025-01-01T00:00:00Z'],
  malformedAuthorization: [400, BAD, { 'www-authenticate': 'Bearer error="invalid_request", error_description="two tokens"' }, 'token in header and query'],
  insufficientScope: [403, BAD, { 'www-authenticate': 'Bearer error="insufficient_scope", scope="incidents:read incidents:write"' }, 'insufficient scope: needs incidents:write'],
  issuerUnavailable: [503, ErrorCode.InternalError, { 'retry-after': 5 }, 'JWKS fetch failed: ECONNREFUSED'],
  notAcceptable: [406, BAD, {}, 'notAcceptable'],
  notAcceptableStream: [406, BAD, {}, 'notAcceptableStream'],
  unsupportedMediaType: [415, BAD, {}, 'unsupportedMediaType'],
  bodyTooLarge: [413, BAD, CLOSE, 'body too-large'],
  bodyTruncated: [400, BAD, {}, 'body truncated'],
  bodyNotUtf8: [400, ErrorCode.ParseError, {}, 'body invalid-utf8'],
  invalidMessage: [400, ErrorCode.ParseError, {}, 'Parse error'],
  missingSession: [400, BAD, {}, 'missingSession'],
  unknownSession: [404, BAD, {}, 'unknownSession'],
  sessionOnInitialize: [400, BAD, {}, 'sessionOnInitialize'],
  tooManySessions: [503, BAD, { 'retry-after': 60 }, 'tooManySessions'],
  tooManySessionsForPrincipal: [429, BAD, { 'retry-after': 60 }, 'tooManySessionsForPrincipal'],
  initializeRateLimited: [429, BAD, { 'retry-after': 7 }, 'initializeRateLimited'],
  unsupportedVersion: [400, BAD, {}, 'unsupportedVersion'],
  versionMismatch: [400, BAD, {}, 'versionMismatch'],
  responseNotAccepted: [400, BAD, {}, 'responseNotAccepted'],
  badLastEventId: [400, BAD, {}, 'badLastEventId'],
  streamConflict: [409, BAD, {}, 'streamConflict'],
  rateLimited: [429, BAD, { 'retry-after': 20 }, 'rateLimited'],
  internal: [500, ErrorCode.InternalError, {}, 'internal'],
  storeUnavailable: [503, ErrorCode.InternalError, { 'retry-after': 5 }, 'storeUnavailable'],
  shuttingDown: [503, ErrorCode.InternalError, { 'retry-after': 1, ...CLOSE }, 'shuttingDown'],
  invalidRequestMeta: [400, ErrorCode.InvalidParams, {}, 'invalidRequestMeta'],
  headerMismatch: [400, ErrorCode.HeaderMismatch, {}, 'headerMismatch'],
  unsupportedProtocolVersion: [400, ErrorCode.UnsupportedProtocolVersion, {}, 'unsupportedProtocolVersion'],
  modernMethodNotFound: [404, ErrorCode.MethodNotFound, {}, 'modernMethodNotFound'],
  missingClientCapability: [400, ErrorCode.MissingRequiredClientCapability, {}, 'missingClientCapability'],
};

test('MCP 2026-07-28: the modern refusals carry the data their error types require, and the request id', () => {
  const body = (kind: RefusalKind): unknown => answerRefusal(SAMPLES[kind], NO_CORS).body;
  assert.deepEqual(body('invalidRequestMeta'), { jsonrpc: '2.0', id: 3, error: { code: -32602, message: 'Invalid params: malformed request metadata: params._meta["io.modelcontextprotocol/clientCapabilities"] is required', data: { field: 'params._meta["io.modelcontextprotocol/clientCapabilities"]' } } });
  assert.deepEqual(body('headerMismatch'), { jsonrpc: '2.0', id: 'a', error: { code: -32020, message: 'Header mismatch: Mcp-Method does not match the method', data: { header: 'Mcp-Method' } } });
  assert.deepEqual(body('unsupportedProtocolVersion'), { jsonrpc: '2.0', id: 4, error: { code: -32022, message: 'Unsupported protocol version', data: { supported: ['2026-07-28'], requested: 'v999.0.0' } } });
  assert.deepEqual(body('modernMethodNotFound'), { jsonrpc: '2.0', id: 5, error: { code: -32601, message: 'Method not found' } });
  assert.deepEqual(body('missingClientCapability'), { jsonrpc: '2.0', id: 6, error: { code: -32021, message: 'Missing required client capability', data: { requiredCapabilities: { sampling: {} } } } });
});

test('issue 13: a store that cannot be reached is 503 with its wait as Retry-After and in data, under the fixed message of the wire error', () => {
  const answer = answerRefusal({ refusal: 'storeUnavailable', retryAfter: 7, id: 9 }, NO_CORS);
  assert.equal(answer.status, 503);
  assert.equal(answer.headers['retry-after'], 7);
  assert.deepEqual(answer.body, { jsonrpc: '2.0', id: 9, error: { code: -32603, message: 'The incident store is unavailable; try again shortly', data: { retryAfter: 7 } } });
  // The body the dispatcher sends for the domain error Unavailable is the refusal's own.
  const wire = wireErrorFor(new Unavailable('store', 7), 'modern').toJson();
  assert.deepEqual(wire, answer.body.error);
  assert.deepEqual(wireErrorFor(new Unavailable('store', 7), 'legacy').toJson(), wire);
});

test('a handler\'s error response that stands for a refusal takes its status and headers, per era; any other goes with 200', () => {
  const unavailable = { jsonrpc: '2.0' as const, id: 3, error: wireErrorFor(new Unavailable('store', 5), 'legacy').toJson() };
  for (const era of ['legacy', 'modern'] as const) {
    const refusal = inBandRefusal(unavailable, era);
    assert.deepEqual(refusal, { refusal: 'storeUnavailable', retryAfter: 5, id: 3 });
    assert.deepEqual(inBandHead(refusal as Refusal), { status: 503, headers: { 'retry-after': 5 } });
  }
  const missing = { jsonrpc: '2.0' as const, id: 4, error: { code: -32021, message: 'Missing required client capability', data: { requiredCapabilities: { elicitation: {} } } } };
  assert.deepEqual(inBandRefusal(missing, 'modern'), { refusal: 'missingClientCapability', requiredCapabilities: { elicitation: {} }, id: 4 });
  assert.equal(inBandHead(inBandRefusal(missing, 'modern') as Refusal).status, 400);
  assert.equal(inBandRefusal(missing, 'legacy'), undefined);
  // The same code and message without a numeric wait, or another -32603, is no refusal: a plain in-band error.
  assert.equal(inBandRefusal({ ...unavailable, error: { ...unavailable.error, data: { retryAfter: '5' } } }, 'legacy'), undefined);
  assert.equal(inBandRefusal({ jsonrpc: '2.0', id: 5, error: { code: -32603, message: 'Internal error', data: { correlationId: 'x' } } }, 'modern'), undefined);
  assert.equal(inBandRefusal({ jsonrpc: '2.0', id: 6, result: {} }, 'modern'), undefined);
});

const ORIGIN = 'http://localhost:6274';
const CORS = { 'access-control-allow-origin': ORIGIN, 'access-control-expose-headers': 'MCP-Session-Id, MCP-Protocol-Version, WWW-Authenticate', vary: 'Origin' };

for (const kind of KINDS) {
  const [status, code, headers, reason] = GOLDEN[kind];
  const sample: Refusal = SAMPLES[kind];
  test(`STYLE 5: ${kind} maps to ${status}, JSON-RPC ${code}, its headers and its log reason, in one answer`, () => {
    const answer = answerRefusal(sample, NO_CORS);
    assert.equal(answer.status, status);
    assert.deepEqual(answer.headers, headers);
    assert.equal(answer.body.error.code, code);
    // The entry's message, followed for the kinds with facts by what the facts say (checked below).
    if (kind === 'invalidMessage') assert.equal(answer.body.error.message, 'Parse error');
    else assert.ok(answer.body.error.message.startsWith(REFUSALS[kind].message), answer.body.error.message);
    assert.equal(answer.body.id, sample.id);
    assert.equal(answer.reason, reason);
  });
  test(`basic/transports.mdx CORS: ${kind} to an allowed browser origin also carries its CORS headers`, () => {
    assert.deepEqual(answerRefusal(sample, { origin: ORIGIN }).headers, { ...CORS, ...headers });
  });
}

test('checklist B8: an unknown request id leaves "id" out of the error; a known one (0, a string) is echoed (JSON-RPC 2.0 §5)', () => {
  assert.deepEqual(answerRefusal({ refusal: 'unknownSession' }, NO_CORS).body, { jsonrpc: '2.0', error: { code: BAD, message: 'Session not found' } });
  assert.equal('id' in answerRefusal({ refusal: 'invalidMessage', error: { code: BAD, message: 'Invalid Request' }, id: undefined }, NO_CORS).body, false);
  assert.equal(answerRefusal({ refusal: 'rateLimited', retryAfter: 1, id: 0 }, NO_CORS).body.id, 0);
  assert.equal(answerRefusal({ refusal: 'sessionOnInitialize', id: 'init' }, NO_CORS).body.id, 'init');
});

test('JSON-RPC 2.0 §5.1: an invalid message is 400 with the classifier\'s error, data included, and that message as the log reason', () => {
  const error = { code: BAD, message: 'Invalid Request: id must be a string or an integer', data: { field: 'id' } };
  const answer = answerRefusal({ refusal: 'invalidMessage', error, id: 'x' }, NO_CORS);
  assert.equal(answer.status, 400);
  assert.deepEqual(answer.body, { jsonrpc: '2.0', id: 'x', error });
  assert.equal(answer.reason, error.message);
});

test('RFC 9110 §10.2.3: a rate limit\'s own wait is its Retry-After; fixed waits come from the table', () => {
  assert.equal(answerRefusal({ refusal: 'rateLimited', retryAfter: 3 }, NO_CORS).headers['retry-after'], 3);
  assert.equal(answerRefusal({ refusal: 'initializeRateLimited', retryAfter: 59 }, NO_CORS).headers['retry-after'], 59);
  const fixed = KINDS.filter((kind) => (REFUSALS[kind] as RefusalEntry).retryAfter !== undefined);
  assert.deepEqual(fixed, ['issuerUnavailable', 'tooManySessions', 'tooManySessionsForPrincipal', 'shuttingDown']);
});

test('the log reason is the stage\'s detail when given, else derived from the facts, else the kind; never the challenge', () => {
  assert.equal(answerRefusal({ refusal: 'unknownSession', detail: 'session used by another principal' }, NO_CORS).reason, 'session used by another principal');
  assert.equal(answerRefusal({ refusal: 'insufficientScope', challenge: 'Bearer x', missing: ['a', 'b'] }, NO_CORS).reason, 'insufficient scope: needs a b');
  for (const kind of KINDS) assert.doesNotMatch(answerRefusal(SAMPLES[kind], NO_CORS).reason, /Bearer/, kind);
});

test('the mapping is pure: the same refusal and context give equal answers, and the inputs are not changed', () => {
  const sample = SAMPLES.insufficientScope;
  const copy = structuredClone(sample);
  assert.deepEqual(answerRefusal(sample, { origin: ORIGIN }), answerRefusal(sample, { origin: ORIGIN }));
  assert.deepEqual(sample, copy);
});

test('isRefusal tells a refusal from a stage\'s result', () => {
  assert.equal(isRefusal(SAMPLES.notFound), true);
  assert.equal(isRefusal({ kind: 'request' }), false);
  assert.equal(isRefusal(new URL('http://localhost/')), false);
});

test('STYLE 3: no refusal message holds a path, a stack frame, an "Error:" prefix or a line break', () => {
  for (const kind of KINDS) {
    const { message } = REFUSALS[kind];
    assert.doesNotMatch(message, /Error:/, kind);
    assert.doesNotMatch(message, /(?:^|\n)\s*at |\bat \S+ \(|\bat (?:file|node):/, kind);
    assert.doesNotMatch(message, /(?:^|\s)(?:\/|\.{1,2}\/|~\/)[\w.-]|[A-Za-z]:\\|\.(?:ts|js|mjs|json)\b|node_modules|file:/, kind);
    assert.doesNotMatch(message, /[\r\n]/, kind);
    assert.ok(message.length > 0 && message.length <= 120, kind);
  }
});

test('STYLE 5: every refusal maps a 4xx/5xx status to a JSON-RPC error code from the one catalogue', () => {
  const codes = new Set<number>(Object.values(ErrorCode));
  for (const kind of KINDS) {
    const { status, code } = REFUSALS[kind];
    assert.ok(status >= 400 && status <= 599, kind);
    assert.ok(codes.has(code), `${kind}: ${code} is not in ErrorCode`);
  }
});

test('RFC 9112 §9.6: the refusals marked close include 431, 413, 501, framing, every parser refusal and shutdown', () => {
  const closing = KINDS.filter((kind) => (REFUSALS[kind] as RefusalEntry).close === true);
  for (const kind of ['tooManyHeaders', 'headersTooLarge', 'bodyTooLarge', 'unsupportedTransferCoding', 'unframedBody', 'malformedRequest', 'requestTimeout', 'shuttingDown']) {
    assert.ok(closing.includes(kind as RefusalKind), kind);
  }
});

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

test('fastify anchor (error catalogue): every refusal kind is used somewhere in src besides its table', () => {
  const text = (readdirSync(SRC, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts') && !file.endsWith('refusal.ts'))
    .map((file) => readFileSync(join(SRC, file), 'utf8'))
    .join('\n');
  assert.deepEqual(KINDS.filter((kind) => !text.includes(`'${kind}'`)), []);
});

test('STYLE 10 (documented): every table entry sits under a one-line comment citing its source', () => {
  const source = readFileSync(join(SRC, 'transport', 'refusal.ts'), 'utf8');
  const table = source.slice(source.indexOf('export const REFUSALS = {'), source.indexOf('} as const satisfies'));
  const cites = /RFC \d+|\.mdx|[Cc]hecklist|JSON-RPC 2\.0|issue|okta\.md|STYLE principle/;
  let comment: string | undefined;
  const documented = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const trimmed = line.trim();
    if (trimmed.startsWith('//')) {
      assert.match(trimmed, cites, trimmed);
      comment = trimmed;
    } else if (/^\w+: \{/.test(trimmed) && comment !== undefined) {
      documented.add(trimmed.slice(0, trimmed.indexOf(':')));
    }
  }
  assert.deepEqual(KINDS.filter((kind) => !documented.has(kind)), []);
});

test('STYLE 5: no stage writes a refusal or names its headers: only the router calls refuse(), only reply.ts calls the mapping', () => {
  const dir = join(SRC, 'transport');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    if (file !== 'http-server.ts' && file !== 'reply.ts') assert.doesNotMatch(text, /\brefuse\(/, file);
    if (file !== 'reply.ts' && file !== 'refusal.ts') {
      assert.doesNotMatch(text, /\banswerRefusal\(/, file);
      assert.doesNotMatch(text, /'retry-after'|'www-authenticate'|connection: 'close'|\.connection = 'close'/i, file);
    }
  }
});
