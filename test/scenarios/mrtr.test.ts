/**
 * Multi round-trip requests over real HTTP with real tokens (MCP 2026-07-28
 * basic/patterns/mrtr.mdx; checklist M-R3…M-R11): the conformance fixtures behind the Okta
 * verifier and a development issuer, so that a requestState is bound to a real principal. A state
 * opens only for the caller, method, target and arguments it was sealed for, before its expiry,
 * under the key it was sealed with; every refusal is the same fixed -32602, its reason logged.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { conformanceFeatures } from '../../fixtures/conformance/fixture-server.ts';
import { OktaVerifier } from '../../src/auth/okta-verifier.ts';
import type { DevIssuer } from '../../src/auth/dev-issuer.ts';
import { startMcpServer, type RunningMcpServer } from '../../src/mcp-server.ts';
import { META_KEYS } from '../../src/protocol/envelope.ts';
import { createRequestStateCodec } from '../../src/protocol/request-state-codec.ts';
import { authConfigFor, startIssuer } from '../helpers/issuer.ts';
import { assertModernServerMessage } from '../helpers/schema-modern.ts';
import { memoryLogger } from '../helpers/server.ts';

const VERSION = '2026-07-28';
const STATE_TOOL = 'test_input_required_result_request_state';
const REFUSED = { code: -32602, message: 'Invalid or expired requestState' };
const CONFIRMED = { confirm: { action: 'accept', content: { ok: true } } };

let issuer: DevIssuer;
const logger = memoryLogger();
const key = randomBytes(32);
const servers: RunningMcpServer[] = [];
let ada: string;
let bob: string;

function start(requestStateKey: Uint8Array | undefined): Promise<RunningMcpServer> {
  return startMcpServer({
    identity: { name: 'mrtr-test', version: '1.0.0' },
    features: conformanceFeatures,
    verifier: new OktaVerifier(authConfigFor(issuer)),
    issuer: issuer.issuer,
    scopes: [],
    challengeScopes: [],
    host: '127.0.0.1',
    port: 0,
    publicUrl: undefined,
    allowedOrigins: [],
    maxBodyBytes: 1024 * 1024,
    maxSessions: 100,
    sessionIdleMs: 60_000,
    toolRateLimit: 0,
    logger,
    requestStateKey,
  });
}

before(async () => {
  issuer = await startIssuer();
  servers.push(await start(key), await start(key), await start(undefined));
  ada = await issuer.mint({ claims: { sub: 'ada@example.com', cid: 'incident-app' } });
  bob = await issuer.mint({ claims: { sub: 'bob@example.com', cid: 'incident-app' } });
});
after(async () => {
  for (const server of servers) await server.close(200);
  await issuer.close();
});

interface Answer {
  status: number;
  body: { result?: Record<string, unknown>; error?: Record<string, unknown> };
}

async function call(token: string, params: Record<string, unknown>, options: { server?: number; capabilities?: object; method?: string } = {}): Promise<Answer> {
  const method = options.method ?? 'tools/call';
  const response = await fetch((servers[options.server ?? 0] as RunningMcpServer).url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream',
      'mcp-protocol-version': VERSION, 'mcp-method': method, 'mcp-name': String(params.name),
    },
    body: JSON.stringify({
      jsonrpc: '2.0', id: 7, method,
      params: { ...params, _meta: { [META_KEYS.protocolVersion]: VERSION, [META_KEYS.clientInfo]: { name: 'mrtr-test', version: '1' }, [META_KEYS.clientCapabilities]: options.capabilities ?? { elicitation: {} } } },
    }),
  });
  assert.equal(response.headers.get('content-type'), 'application/json');
  const body = (await response.json()) as Answer['body'];
  assertModernServerMessage(body);
  return { status: response.status, body };
}

/** Round one of the state tool as `token`: its requestState. */
async function firstRound(token: string, server = 0): Promise<string> {
  const { status, body } = await call(token, { name: STATE_TOOL, arguments: {} }, { server });
  assert.equal(status, 200);
  const result = body.result as Record<string, unknown>;
  assert.equal(result.resultType, 'input_required');
  assert.deepEqual(Object.keys(result).sort(), ['_meta', 'inputRequests', 'requestState', 'resultType'], 'no cache hints on an InputRequiredResult (M-R11)');
  assert.equal((result.inputRequests as Record<string, { method: string }>).confirm?.method, 'elicitation/create');
  return result.requestState as string;
}

function refusalsLogged(reason: string): number {
  return logger.lines.filter((line) => line.msg === 'requestState refused' && line.reason === reason).length;
}

test('a state sealed for a caller completes that caller’s retry, on any instance sharing the key (M-R7, M-R10)', async () => {
  const state = await firstRound(ada);
  for (const server of [0, 1]) {
    const { status, body } = await call(ada, { name: STATE_TOOL, arguments: {}, inputResponses: CONFIRMED, requestState: state }, { server });
    assert.equal(status, 200);
    assert.equal(body.result?.resultType, 'complete');
    assert.deepEqual(body.result?.content, [{ type: 'text', text: 'state-ok: confirm accepted {"ok":true}' }]);
  }
});

test('tampered, foreign and under another key: one fixed -32602, in-band, the reason only in the log (M-R7, M-R8)', async () => {
  const state = await firstRound(ada);
  const flipped = `${state.slice(0, 20)}${state[20] === 'A' ? 'B' : 'A'}${state.slice(21)}`;
  const cases: Array<[string, string, Record<string, unknown>, number]> = [
    ['tampered', ada, { name: STATE_TOOL, arguments: {}, requestState: flipped }, 0],
    ['tampered', ada, { name: STATE_TOOL, arguments: {}, requestState: `${state}-TAMPERED` }, 0],
    ['foreign', bob, { name: STATE_TOOL, arguments: {}, requestState: state }, 0],
    ['foreign', ada, { name: 'test_input_required_result_tampered_state', arguments: {}, requestState: state }, 0],
    ['foreign', ada, { name: STATE_TOOL, arguments: { extra: 1 }, requestState: state }, 0],
    ['tampered', ada, { name: STATE_TOOL, arguments: {}, requestState: state }, 2],
  ];
  for (const [reason, token, params, server] of cases) {
    const before = refusalsLogged(reason);
    const { status, body } = await call(token, { ...params, inputResponses: CONFIRMED }, { server });
    assert.equal(status, 200, reason);
    assert.deepEqual(body, { jsonrpc: '2.0', id: 7, error: REFUSED }, reason);
    assert.equal(refusalsLogged(reason), before + 1, `logged as ${reason}`);
  }
});

test('an expired state is refused the same way (M-R8: a short expiry)', async () => {
  // The binding as docs/decisions.md "Multi round-trip requests" writes it down, sealed 11 minutes ago.
  const expired = createRequestStateCodec({ key }).seal({
    principal: JSON.stringify(['ada@example.com', 'incident-app']),
    method: 'tools/call',
    target: JSON.stringify([STATE_TOOL, {}]),
    state: { tool: STATE_TOOL, step: 'asked' },
    now: Date.now() - 11 * 60 * 1000,
  });
  const before = refusalsLogged('expired');
  const { body } = await call(ada, { name: STATE_TOOL, arguments: {}, inputResponses: CONFIRMED, requestState: expired });
  assert.deepEqual(body.error, REFUSED);
  assert.equal(refusalsLogged('expired'), before + 1);
});

test('input for a capability the request did not declare: 400 and -32021 naming it (M-R5, M-V7)', async () => {
  const { status, body } = await call(ada, { name: 'test_input_required_result_elicitation', arguments: {} }, { capabilities: { sampling: {} } });
  assert.equal(status, 400);
  assert.deepEqual(body.error, { code: -32021, message: 'Missing required client capability', data: { requiredCapabilities: { elicitation: {} } } });
  const sampled = await call(ada, { name: 'test_input_required_result_capabilities', arguments: {} }, { capabilities: { sampling: {} } });
  assert.deepEqual(Object.keys(sampled.body.result?.inputRequests as object), ['sample']);
});

test('answers are checked against what was asked; missing ones are asked again, extra keys ignored (M-R9)', async () => {
  const tool = { name: 'test_input_required_result_elicitation', arguments: {} };
  for (const [inputResponses, message] of [
    [null, 'inputResponses must be an object mapping input request keys to their answers'],
    [{ user_name: 12345 }, 'inputResponses must be an object mapping input request keys to their answers'],
    [{ user_name: { action: 'maybe' } }, 'The answer to input request "user_name" action must be one of: accept, decline, cancel'],
    [{ user_name: { action: 'accept', content: { name: 7 } } }, 'The answer to input request "user_name" breaks the requested schema: content name must be string'],
  ] as const) {
    const { status, body } = await call(ada, { ...tool, inputResponses });
    assert.equal(status, 200);
    assert.equal(body.error?.code, -32602);
    assert.match(String(body.error?.message), new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  }
  const again = await call(ada, { ...tool, inputResponses: { wrong_key: { action: 'accept', content: {} } } });
  assert.equal(again.body.result?.resultType, 'input_required');
  const done = await call(ada, { ...tool, inputResponses: { user_name: { action: 'accept', content: { name: 'Ada' } }, extra: { x: 1 }, more: {} } });
  assert.equal(done.body.result?.resultType, 'complete');
  const bad = await call(ada, { ...tool, requestState: 42 });
  assert.deepEqual(bad.body.error, { code: -32602, message: 'requestState must be a string', data: { field: '/requestState' } });
});

test('tools/list never answers input_required, and ignores retry fields (M-R2)', async () => {
  const { status, body } = await call(ada, { name: undefined, requestState: 'x', inputResponses: null }, { method: 'tools/list' });
  assert.equal(status, 200);
  assert.equal(body.result?.resultType, 'complete');
});
