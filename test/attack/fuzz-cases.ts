/**
 * The hostile requests of the fuzzer, drawn from a seeded Random: bodies (random and invalid
 * UTF-8 bytes, JSON nested 100,000 deep, huge numbers and strings, ids of every JSON type, odd
 * method names, params of every wrong type, `__proto__` keys), headers (1,000 of them, duplicates,
 * bad credentials, media types and framing) and raw garbage. Each case states the HTTP statuses
 * that are right for it, so a wrong 4xx fails as surely as a 5xx.
 */
import { buildRequest, type Random } from './helpers.ts';

export interface FuzzCase {
  kind: string;
  bytes: Buffer;
  /** The statuses that are right for this request. */
  expect: readonly number[];
  /** The JSON-RPC method, to check a result against its schema. */
  rpcMethod?: string;
  halfClose?: boolean;
  /** The connection may close with no answer (the client went away first). */
  mayClose?: boolean;
}

export interface FuzzTarget {
  port: number;
  token: string;
  sessionId: string;
  version: string;
}

export const DEPTH = 100_000;
const DEEP_ARRAY = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
const DEEP_OBJECT = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);

const ODD_METHODS = [
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'prototype', 'then',
  ' ', 'tools/call/', 'TOOLS/LIST', 'tools/list ', 'notifications/initialized', 'resources/read\u0000', '\u202e', '🔥', 'ping\n',
];
const REAL_METHODS = [
  'ping', 'tools/list', 'tools/call', 'resources/list', 'resources/templates/list', 'resources/read', 'resources/subscribe',
  'resources/unsubscribe', 'prompts/list', 'prompts/get', 'completion/complete', 'logging/setLevel',
];
const ID_TYPES = ['null', 'true', 'false', '{}', '[]', '[1]', '1.5', '-1', '0', '"x"', '""', '9007199254740993', '1e400', '-0', '1.0', '5e-324', '"🔥"', `"${'i'.repeat(10_000)}"`];
const WRONG_PARAMS = ['null', '0', '"x"', 'true', '[]', '[1]', '{}', '{"name":5}', '{"name":[]}', '{"uri":{}}', '{"arguments":"x"}', '{"cursor":5}', '{"level":{}}', '{"ref":null}', '{"argument":[]}', '{"_meta":7}', '{"name":"create_incident","arguments":[]}'];
const HUGE_NUMBERS = ['1e400', '-1e400', '1e308', '123456789012345678901234567890', '-9007199254740993', '0.1e-400', '4.9e-324'];
const PROTO_ARGS = [
  '{"title":"x","__proto__":{"isAdmin":true}}', '{"__proto__":{"title":"x"}}', '{"title":"x","constructor":{"prototype":{"polluted":1}}}',
  '{"id":"1","status":"open","__proto__":null}', '{"__proto__":[]}',
];
const TOOLS = ['create_incident', 'list_incidents', 'update_incident', 'delete_incident', '__proto__', 'constructor'];
const ARG_VALUES = ['null', '0', '-1', '1e400', '201', '"open"', '"resolved"', '"critical"', '""', '"  "', '"1"', '"0"', '"99999999"', 'true', '[]', '{}', `"${'t'.repeat(300)}"`, '"a\\nb"', '"\\u0000"'];
const ARG_NAMES = ['title', 'severity', 'status', 'description', 'id', 'query', 'limit', 'cursor', 'extra', '__proto__'];
const INVALID_UTF8 = [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff], [0xf5, 0x80, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]];

/** Every body-level case starts from this session's ordinary headers. */
function baseHeaders(t: FuzzTarget, overrides: Record<string, string | null> = {}): Array<[string, string]> {
  const base: Record<string, string | null> = {
    Host: `127.0.0.1:${t.port}`,
    Authorization: `Bearer ${t.token}`,
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
    'MCP-Session-Id': t.sessionId,
    'MCP-Protocol-Version': t.version,
    Connection: 'close',
    ...overrides,
  };
  return Object.entries(base).filter((e): e is [string, string] => e[1] !== null);
}

function post(t: FuzzTarget, kind: string, body: string | Buffer, expect: readonly number[], rpcMethod?: string): FuzzCase {
  return { kind, bytes: buildRequest({ headers: baseHeaders(t), body }), expect, ...(rpcMethod === undefined ? {} : { rpcMethod }) };
}

const request = (method: string, params?: string, id = '1'): string =>
  `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)}${params === undefined ? '' : `,"params":${params}`}}`;

/** basic/index.mdx: a request id is a string or an integer; anything else is refused with 400. */
function idIsValid(id: string): boolean {
  const value = JSON.parse(id) as unknown;
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
}

const BODY_CASES: Array<(r: Random, t: FuzzTarget) => FuzzCase> = [
  (r, t) => post(t, 'random bytes', r.bytes(r.int(2000)), [400]),
  (r, t) => {
    const bad = Buffer.from(r.pick(INVALID_UTF8));
    const [head, tail] = [Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"'), Buffer.from('"}}')];
    return post(t, 'invalid UTF-8', Buffer.concat([head, bad, tail]), [400]);
  },
  (r, t) => {
    const where = r.int(6);
    if (where === 0) return post(t, 'deep: array body', DEEP_ARRAY, [400]);
    if (where === 1) return post(t, 'deep: object body', DEEP_OBJECT, [400]);
    if (where === 2) return post(t, 'deep: params', request('ping', `{"a":${DEEP_ARRAY}}`), [200], 'ping');
    if (where === 3) return post(t, 'deep: tool arguments', request('tools/call', `{"name":"create_incident","arguments":{"title":${DEEP_OBJECT}}}`), [200], 'tools/call');
    if (where === 4) return post(t, 'deep: id', request('ping', undefined, DEEP_ARRAY), [400]);
    return post(t, 'deep: _meta', request('ping', `{"_meta":{"progressToken":${DEEP_OBJECT}}}`), [200], 'ping');
  },
  (r, t) => {
    const n = r.pick(HUGE_NUMBERS);
    if (r.chance(0.5)) return post(t, 'huge number id', request('ping', undefined, n), [idIsValid(n) ? 200 : 400], 'ping');
    return post(t, 'huge number argument', request('tools/call', `{"name":"list_incidents","arguments":{"limit":${n}}}`), [200], 'tools/call');
  },
  (r, t) => {
    const big = 'x'.repeat(100_000 + r.int(800_000));
    const where = r.int(4);
    if (where === 0) return post(t, 'huge method', request(big), [200]);
    if (where === 1) return post(t, 'huge string id', request('ping', undefined, `"${big}"`), [200], 'ping');
    if (where === 2) return post(t, 'huge title', request('tools/call', `{"name":"create_incident","arguments":{"title":"${big}"}}`), [200], 'tools/call');
    return post(t, 'huge query', request('tools/call', `{"name":"list_incidents","arguments":{"query":"${big}"}}`), [200], 'tools/call');
  },
  (r, t) => {
    const id = r.pick(ID_TYPES);
    return post(t, 'id of another type', request('ping', undefined, id), [idIsValid(id) ? 200 : 400], 'ping');
  },
  (r, t) => {
    const method = r.chance(0.8) ? r.pick(ODD_METHODS) : r.word(40);
    if (r.chance(0.3)) return post(t, 'odd notification', `{"jsonrpc":"2.0","method":${JSON.stringify(method)}}`, [202]);
    return post(t, 'odd method', request(method, r.chance(0.5) ? '{}' : undefined), [200]);
  },
  (r, t) => {
    const params = r.pick(WRONG_PARAMS);
    const method = r.pick(REAL_METHODS);
    const objectParams = params.startsWith('{');
    return post(t, 'wrong params', request(method, params), [objectParams ? 200 : 400], objectParams ? method : undefined);
  },
  (r, t) => {
    const where = r.int(4);
    if (where === 0) return post(t, '__proto__ params', request('ping', '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}'), [200], 'ping');
    if (where === 1) return post(t, '__proto__ arguments', request('tools/call', `{"name":"${r.pick(['create_incident', 'update_incident', 'list_incidents'])}","arguments":${r.pick(PROTO_ARGS)}}`), [200], 'tools/call');
    if (where === 2) return post(t, '__proto__ _meta', request('ping', '{"_meta":{"__proto__":{"progressToken":1}}}'), [200], 'ping');
    return post(t, '__proto__ prompt arguments', request('prompts/get', '{"name":"triage_incidents","arguments":{"__proto__":"x","toString":"y","focus":"severity"}}'), [200], 'prompts/get');
  },
  (r, t) => {
    const args: string[] = [];
    for (let i = r.int(5); i > 0; i--) args.push(`${JSON.stringify(r.pick(ARG_NAMES))}:${r.pick(ARG_VALUES)}`);
    const tool = r.pick(TOOLS);
    return post(t, 'random tool arguments', request('tools/call', `{"name":${JSON.stringify(tool)},"arguments":{${args.join(',')}}}`, String(r.int(1e9))), [200], 'tools/call');
  },
  (r, t) => {
    const capabilities = r.pick([DEEP_OBJECT, '{"__proto__":{"polluted":1}}', '{"sampling":null,"roots":7}', '[]', '{"constructor":{}}']);
    const clientInfo = r.pick(['{"name":"f","version":"1"}', '{"name":"f","version":"1","__proto__":{"polluted":1}}', '{"name":5}']);
    const body = request('initialize', `{"protocolVersion":${r.pick(['"2025-11-25"', '"1999-01-01"', '""', '7'])},"capabilities":${capabilities},"clientInfo":${clientInfo}}`);
    return { kind: 'odd initialize', bytes: buildRequest({ headers: baseHeaders(t, { 'MCP-Session-Id': null, 'MCP-Protocol-Version': null }), body }), expect: [200], rpcMethod: 'initialize' };
  },
  (r, t) => post(t, 'a response nobody asked for', `{"jsonrpc":"2.0","id":${r.int(1000)},"result":{}}`, [400]),
  (r, t) => post(t, 'jsonrpc version', request('ping').replace('"2.0"', r.pick(['"1.0"', '2', 'null', '"2.0 "'])), [400]),
];

const FRAMING_CASES: Array<(r: Random, t: FuzzTarget) => FuzzCase> = [
  (r, t) => {
    const headers = baseHeaders(t);
    for (let i = 0; i < 1000; i++) headers.splice(r.int(headers.length), 0, [`X-F${i}`, 'v']);
    // RFC 6585 §5: too many header fields is 431, never a silent drop of the later ones.
    return { kind: '1,000 headers', bytes: buildRequest({ headers, body: request('ping') }), expect: [431] };
  },
  (r, t) => {
    const name = r.pick(['Authorization', 'MCP-Session-Id', 'MCP-Protocol-Version', 'Content-Type', 'Last-Event-ID', 'Origin']);
    const value = name === 'Authorization' ? `Bearer ${t.token}` : name === 'MCP-Session-Id' ? r.pick([t.sessionId, r.word(30)]) : name === 'Origin' ? 'http://127.0.0.1' : name === 'Content-Type' ? 'application/json' : name === 'Last-Event-ID' ? '1-1' : t.version;
    const headers = baseHeaders(t);
    headers.splice(1 + r.int(headers.length), 0, [name, value]);
    if (name === 'Last-Event-ID' || name === 'Origin') headers.splice(r.int(headers.length), 0, [name, value]);
    // docs/decisions.md: Origin is checked before duplicates, and two joined origins are no origin (403).
    return { kind: `duplicate ${name}`, bytes: buildRequest({ headers, body: request('ping') }), expect: [name === 'Origin' ? 403 : 400] };
  },
  (r, t) => {
    const choice = r.int(9);
    const auth = [
      [null, 401], ['Basic ZGV2OmRldg==', 401], ['Bearer', 400], [`Bearer ${t.token} extra`, 400], [`Bearer ${r.word(60)}`, 401],
      [`Bearer ${t.token.slice(0, -4)}AAAA`, 401], [`Bearer ${'A'.repeat(9000)}`, 401], [`bearer ${t.token}`, 200], [`Bearer  ${t.token}`, 200],
    ][choice] as [string | null, number];
    const headers = baseHeaders(t, { Authorization: auth[0] });
    return { kind: `authorization #${choice}`, bytes: buildRequest({ headers, body: request('ping') }), expect: [auth[1]], rpcMethod: 'ping' };
  },
  (r, t) => {
    const [value, status] = r.pick([[r.word(40), 404], ['', 400], ['x'.repeat(8000), 404], [`${t.sessionId}x`, 404], ['\u00e9t\u00e9', 404]] as Array<[string, number]>);
    return { kind: 'bad session id', bytes: buildRequest({ headers: baseHeaders(t, { 'MCP-Session-Id': value }), body: request('ping') }), expect: [status] };
  },
  (r, t) => {
    const version = r.pick(['2024-11-05', '2025-06-18', '9999-99-99', r.word(10), '']);
    // basic/transports.mdx: unsupported → 400; checklist H36: a supported one that is not the session's → 400.
    return { kind: 'bad protocol version', bytes: buildRequest({ headers: baseHeaders(t, { 'MCP-Protocol-Version': version }), body: request('ping') }), expect: [400] };
  },
  (r, t) => {
    const [type, status] = r.pick([['text/plain', 415], ['application/json; charset=latin1', 415], ['application/json; charset=UTF-8', 200], ['APPLICATION/JSON', 200], [null, 415], ['application/jsonx', 415], ['multipart/form-data; boundary=x', 415], ['application/json;;', 200]] as Array<[string | null, number]>);
    return { kind: `content-type ${String(type)}`, bytes: buildRequest({ headers: baseHeaders(t, { 'Content-Type': type }), body: request('ping') }), expect: status === 200 ? [200, 415] : [status], rpcMethod: 'ping' };
  },
  (r, t) => {
    const [accept, status] = r.pick([['text/html', 406], ['application/json', 200], ['text/event-stream', 200], ['*/*', 200], ['application/*;q=0', 406], ['application/json;q=0, text/event-stream;q=0', 406]] as Array<[string, number]>);
    return { kind: `accept ${accept}`, bytes: buildRequest({ headers: baseHeaders(t, { Accept: accept }), body: request('ping') }), expect: [status], rpcMethod: 'ping' };
  },
  (r, t) => {
    const [host, origin] = r.pick([['evil.example', null], [`127.0.0.1:${t.port}`, 'http://evil.example'], [`127.0.0.1:${t.port}`, 'null'], [`localhost:${t.port + 1}`, null], [`127.0.0.1:${t.port}`, 'http://127.0.0.1:1/x']] as Array<[string, string | null]>);
    return { kind: 'foreign host or origin', bytes: buildRequest({ headers: baseHeaders(t, { Host: host, Origin: origin }), body: request('ping') }), expect: [403] };
  },
  (r, t) => {
    // Over MAX_BODY_BYTES, announced (refused before reading) or chunked (refused while reading).
    const body = Buffer.alloc(1024 * 1024 + 1 + r.int(1000), 0x20);
    if (r.chance(0.5)) return { kind: 'body over the limit', bytes: buildRequest({ headers: baseHeaders(t), body }), expect: [413] };
    const chunked = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    return { kind: 'chunked body over the limit', bytes: buildRequest({ headers: [...baseHeaders(t), ['Transfer-Encoding', 'chunked']], body: chunked, contentLength: 'omit' }), expect: [413] };
  },
  (r, t) => {
    const full = Buffer.from(request('ping'));
    const cut = full.subarray(0, r.int(full.length));
    // A client that stops sending: the answer is 400 if it can still be written, else nothing.
    return { kind: 'truncated body', bytes: buildRequest({ headers: baseHeaders(t), body: cut, contentLength: full.length }), expect: [400], halfClose: true, mayClose: true };
  },
  (r, t) => {
    const framing = r.pick([
      [['Content-Length', 'abc']], [['Content-Length', '-1']], [['Content-Length', '5'], ['Transfer-Encoding', 'chunked']],
      [['Transfer-Encoding', 'chunked']], [['Content-Length', '5'], ['Content-Length', '6']],
    ] as Array<Array<[string, string]>>);
    const body = framing.some(([, v]) => v === 'chunked') ? 'zz\r\nxx\r\n0\r\n\r\n' : '';
    return { kind: `framing ${JSON.stringify(framing)}`, bytes: buildRequest({ headers: [...baseHeaders(t), ...framing], body, contentLength: 'omit' }), expect: [400] };
  },
  (r, t) => {
    const [method, path, status] = r.pick([
      ['PUT', '/mcp', 405], ['PATCH', '/mcp', 405], ['TRACE', '/mcp', 405], ['HEAD', '/mcp', 405], ['GET', '/nope', 404], ['POST', '/mcp/', 404],
      ['POST', `/mcp?access_token=${r.word(20)}`, 400], ['POST', '/%00', 404], ['POST', '//mcp', 404], ['POST', '*', 404], ['DELETE', '/mcp', 204],
      ['GET', '/mcp', 406],
    ] as Array<[string, string, number]>);
    const session = method === 'DELETE' ? r.word(30) : t.sessionId;
    const expect = method === 'DELETE' ? [404] : [status];
    const headers = baseHeaders(t, { 'MCP-Session-Id': session, Accept: method === 'GET' ? 'application/json' : 'application/json, text/event-stream' });
    return { kind: `${method} ${path.slice(0, 12)}`, bytes: buildRequest({ method, path, headers, body: method === 'POST' ? request('ping') : '' }), expect };
  },
  (r) => {
    // Garbage instead of a request line: node's parser answers 400 and closes.
    const junk = Buffer.concat([Buffer.from([0x01 + r.int(30)]), r.bytes(r.int(300)), Buffer.from('\r\n\r\n')]);
    return { kind: 'raw garbage', bytes: junk, expect: [400] };
  },
];

/** `count` cases: about three in four at the body, the rest at headers and framing. */
export function fuzzCases(random: Random, target: FuzzTarget, count: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const family = random.chance(0.75) ? BODY_CASES : FRAMING_CASES;
    cases.push(random.pick(family)(random, target));
  }
  return cases;
}
