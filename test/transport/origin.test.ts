/**
 * Tests of src/transport/origin.ts: the DNS-rebinding defences of MCP 2025-11-25
 * basic/transports.mdx "Security Warning" (validate Origin; 403 when present and not allowed),
 * the Host check (checklist H4), and the exact CORS headers (Fetch standard, CORS protocol).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { checkOrigin, corsHeaders, isAllowedAuthority, isAllowedHost, isAllowedOrigin, parseAuthority, preflightHeaders, type OriginPolicy } from '../../src/transport/origin.ts';

const policy: OriginPolicy = {
  allowedOrigins: ['https://app.example.com', 'http://intranet.example:8080'],
  publicHost: 'mcp.example.com',
  port: () => 9001,
};

/** A real IncomingMessage carrying the given headers (only the header map is read). */
function request(headers: Record<string, string>): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = headers;
  return req;
}

const allowedOrigins: Array<[string, string]> = [
  ['loopback by name, any port', 'http://localhost:3000'],
  ['loopback by name over https, default port', 'https://localhost'],
  ['IPv4 loopback', 'http://127.0.0.1:5173'],
  ['anywhere in 127.0.0.0/8', 'http://127.1.2.3:1'],
  ['IPv6 loopback', 'http://[::1]:8080'],
  ['the public URL host', 'https://mcp.example.com'],
  ['a configured origin', 'https://app.example.com'],
  ['a configured origin with its port', 'http://intranet.example:8080'],
  ['upper case scheme and host (RFC 6454 §4: compared case-insensitively)', 'HTTP://LOCALHOST:3000'],
];

for (const [name, origin] of allowedOrigins) {
  test(`basic/transports.mdx Origin validation allows ${name}: ${origin}`, () => {
    assert.equal(isAllowedOrigin(origin, policy), true);
  });
}

const refusedOrigins: Array<[string, string]> = [
  ['the opaque origin "null" (sandboxed frames, file: pages)', 'null'],
  ['an empty string', ''],
  ['a bare host', 'localhost:3000'],
  ['garbage', 'not an origin'],
  ['an origin with a path (RFC 6454 §6.2: exactly a serialised origin)', 'http://localhost:3000/'],
  ['an origin with a path on the public host', 'https://mcp.example.com/mcp'],
  ['an origin with user info', 'http://user@localhost:3000'],
  ['an explicit default port (never serialised by browsers)', 'https://app.example.com:443'],
  ['a numeric spelling of loopback that browsers would normalise', 'http://2130706433'],
  ['a look-alike of localhost', 'http://localhost.evil.example'],
  ['a look-alike of 127.0.0.1', 'http://127.0.0.1.evil.example'],
  ['a non-http scheme on loopback', 'ws://localhost:3000'],
  ['a configured host on another port', 'https://app.example.com:8443'],
  ['a configured host over the other scheme', 'http://app.example.com'],
  ['an unrelated site', 'https://evil.example'],
  ['the all-interfaces address', 'http://0.0.0.0:9001'],
];

for (const [name, origin] of refusedOrigins) {
  test(`basic/transports.mdx Origin validation refuses ${name}: ${JSON.stringify(origin)}`, () => {
    assert.equal(isAllowedOrigin(origin, policy), false);
  });
}

test('basic/transports.mdx: checkOrigin says absent for no Origin (non-browser clients), else allowed or forbidden', () => {
  assert.equal(checkOrigin(request({}), policy), 'absent');
  assert.equal(checkOrigin(request({ origin: 'http://localhost:1' }), policy), 'allowed');
  assert.equal(checkOrigin(request({ origin: 'https://evil.example' }), policy), 'forbidden');
  assert.equal(checkOrigin(request({ origin: 'null' }), policy), 'forbidden');
});

const allowedHosts: Array<[string, string]> = [
  ['localhost with our port', 'localhost:9001'],
  ['127.0.0.1 with our port', '127.0.0.1:9001'],
  ['[::1] with our port', '[::1]:9001'],
  ['upper-case loopback name (RFC 9110 §4.2.3: host is case-insensitive)', 'LocalHost:9001'],
  ['the public host', 'mcp.example.com'],
  ['the public host in upper case', 'MCP.Example.COM'],
];

for (const [name, host] of allowedHosts) {
  test(`checklist H4 (DNS rebinding): Host ${name} is served: ${host}`, () => {
    assert.equal(isAllowedHost(request({ host }), policy), true);
  });
}

const refusedHosts: Array<[string, string]> = [
  ['loopback with another port', 'localhost:9002'],
  ['127.0.0.1 with another port', '127.0.0.1:80'],
  ['a rebinding name with our port', 'evil.example:9001'],
  ['the public host on another port', 'mcp.example.com:8443'],
  ['an empty Host', ''],
  ['a malformed Host', 'localhost:9001:1'],
  ['an unbracketed IPv6 literal', '::1:9001'],
];

for (const [name, host] of refusedHosts) {
  test(`checklist H4 (DNS rebinding): Host ${name} is refused: ${JSON.stringify(host)}`, () => {
    assert.equal(isAllowedHost(request({ host }), policy), false);
  });
}

test('checklist H4: a request without Host (HTTP/1.0) is refused', () => {
  assert.equal(isAllowedHost(request({}), policy), false);
});

test('the Host check reads the port each time (the bound port is known only after listen)', () => {
  let port = 0;
  const late: OriginPolicy = { ...policy, port: () => port };
  assert.equal(isAllowedHost(request({ host: 'localhost:4321' }), late), false);
  port = 4321;
  assert.equal(isAllowedHost(request({ host: 'localhost:4321' }), late), true);
});

test('RFC 9110 §7.2: on port 80 a loopback Host without a port (the default port) is served', () => {
  const onDefaultPort: OriginPolicy = { ...policy, port: () => 80 };
  assert.equal(isAllowedHost(request({ host: 'localhost' }), onDefaultPort), true);
  assert.equal(isAllowedHost(request({ host: '127.0.0.1' }), onDefaultPort), true);
});

test('Fetch CORS protocol: no Origin means no CORS headers at all', () => {
  assert.deepEqual(corsHeaders(undefined), {});
});

test('Fetch CORS protocol: an allowed origin is echoed, MCP headers are exposed, and caches vary on Origin', () => {
  assert.deepEqual(corsHeaders('http://localhost:3000'), {
    'access-control-allow-origin': 'http://localhost:3000',
    'access-control-expose-headers': 'MCP-Session-Id, MCP-Protocol-Version, WWW-Authenticate',
    vary: 'Origin',
  });
});

test('Fetch CORS-preflight: methods, request headers (incl. Last-Event-ID) and a 10-minute max-age', () => {
  assert.deepEqual(preflightHeaders('https://app.example.com'), {
    'access-control-allow-origin': 'https://app.example.com',
    'access-control-expose-headers': 'MCP-Session-Id, MCP-Protocol-Version, WWW-Authenticate',
    vary: 'Origin',
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
    'access-control-allow-headers': 'Authorization, Content-Type, Accept, MCP-Session-Id, MCP-Protocol-Version, Last-Event-ID',
    'access-control-max-age': 600,
  });
});

test('RFC 9110 §7.2, §4.2.4: parseAuthority reads uri-host [":" port] and refuses userinfo, spaces, paths and a second colon', () => {
  assert.deepEqual(parseAuthority('127.0.0.1:9001'), { name: '127.0.0.1', port: '9001' });
  assert.deepEqual(parseAuthority('[::1]:9001'), { name: '[::1]', port: '9001' });
  assert.deepEqual(parseAuthority('mcp.example.com'), { name: 'mcp.example.com', port: '' });
  assert.deepEqual(parseAuthority(''), { name: '', port: '' });
  for (const bad of ['user@127.0.0.1:9001', 'a b', 'host/path', 'host:1:2', '[::1', 'host:9a', 'h\u00e9te']) assert.equal(parseAuthority(bad), undefined, bad);
});

test('RFC 9112 §3.2.2: isAllowedAuthority judges an absolute-form authority as it judges Host', () => {
  assert.equal(isAllowedAuthority('localhost:9001', policy), true);
  assert.equal(isAllowedAuthority('MCP.example.com', policy), true);
  assert.equal(isAllowedAuthority('evil.example', policy), false);
  assert.equal(isAllowedAuthority(':9001', policy), false);
});

test('behind a proxy on loopback (MCP_PUBLIC_URL http://127.0.0.1:8080/mcp), any loopback name with that port names this server too', () => {
  const fronted: OriginPolicy = { ...policy, publicHost: '127.0.0.1:8080' };
  assert.equal(isAllowedAuthority('localhost:8080', fronted), true);
  assert.equal(isAllowedAuthority('[::1]:8080', fronted), true);
  assert.equal(isAllowedAuthority('localhost:9001', fronted), true, 'the replica’s own port still');
  assert.equal(isAllowedAuthority('localhost:8081', fronted), false);
  assert.equal(isAllowedAuthority('evil.example:8080', fronted), false);
  // A public host that is not loopback lends its port to no loopback name.
  assert.equal(isAllowedAuthority('localhost:443', { ...policy, publicHost: 'mcp.example.com:443' }), false);
});
