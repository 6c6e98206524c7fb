/**
 * Tests of src/config.ts (STYLE principle 12: config is read once, validated, every problem
 * reported at once with its fix, then frozen): defaults, the Okta issuer rules (okta.md: only
 * custom authorization servers issue tokens a resource server can verify), URL rules, the
 * `.env` parser and the precedence of the real environment over `.env`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, readEnvironment, SETTINGS, type Config, type Env } from '../src/config.ts';
import { parseEnvFile } from '../src/env-file.ts';

const OKTA = { OKTA_DOMAIN: 'x.okta.com' };

/** The problems loadConfig reports for `env`; fails the test if it accepts it. */
function problems(env: Env): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

function oneProblem(env: Env, pattern: RegExp): string {
  const list = problems(env);
  assert.equal(list.length, 1, list.join('\n'));
  assert.match(list[0] as string, pattern);
  return list[0] as string;
}

test('STYLE 12: defaults are PORT 9001, HOST 127.0.0.1, ./incidents.json, 600 tool calls a minute, info logs', () => {
  const config = loadConfig(OKTA);
  assert.equal(config.port, 9001);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.incidentsFile, resolve('./incidents.json'));
  assert.equal(config.toolRateLimit, 600);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.publicUrl, undefined);
  assert.deepEqual(config.allowedOrigins, []);
  assert.equal(config.maxBodyBytes, 1024 * 1024);
  assert.equal(config.sessionIdleMs, 1800 * 1000);
});

test('okta.md: the issuer is https://{OKTA_DOMAIN}/oauth2/default with jwks {issuer}/v1/keys and audience api://default', () => {
  const { auth } = loadConfig(OKTA);
  assert.deepEqual(auth, {
    issuer: 'https://x.okta.com/oauth2/default',
    jwksUri: 'https://x.okta.com/oauth2/default/v1/keys',
    audience: 'api://default',
    clientIds: [],
    clockToleranceSeconds: 30,
    requireDpop: false,
  });
});

test('okta.md: OKTA_AUTH_SERVER_ID names the custom server; a scheme or trailing slash on OKTA_DOMAIN is tolerated', () => {
  const { auth } = loadConfig({ OKTA_DOMAIN: 'https://x.okta.com/', OKTA_AUTH_SERVER_ID: 'aus123', OKTA_AUDIENCE: 'api://incidents' });
  assert.equal(auth.issuer, 'https://x.okta.com/oauth2/aus123');
  assert.equal(auth.jwksUri, 'https://x.okta.com/oauth2/aus123/v1/keys');
  assert.equal(auth.audience, 'api://incidents');
});

test('RFC 8414 §2: OKTA_ISSUER overrides OKTA_DOMAIN and its trailing slash is stripped (issuer compared exactly)', () => {
  const { auth } = loadConfig({ ...OKTA, OKTA_ISSUER: 'https://y.okta.com/oauth2/aus9/' });
  assert.equal(auth.issuer, 'https://y.okta.com/oauth2/aus9');
  assert.equal(auth.jwksUri, 'https://y.okta.com/oauth2/aus9/v1/keys');
});

test('OKTA_CLIENT_IDS is a comma or space separated allow-list; OKTA_CLOCK_TOLERANCE is bounded', () => {
  assert.deepEqual(loadConfig({ ...OKTA, OKTA_CLIENT_IDS: ' a, b  c,' }).auth.clientIds, ['a', 'b', 'c']);
  assert.equal(loadConfig({ ...OKTA, OKTA_CLOCK_TOLERANCE: '0' }).auth.clockToleranceSeconds, 0);
  oneProblem({ ...OKTA, OKTA_CLOCK_TOLERANCE: '301' }, /^OKTA_CLOCK_TOLERANCE="301" is not a whole number from 0 to 300/);
});

test('okta.md: the org authorization server is refused with a message naming custom authorization servers', () => {
  const message = oneProblem({ OKTA_ISSUER: 'https://x.okta.com' }, /org authorization server/);
  assert.match(message, /custom authorization server/);
  assert.match(message, /\/oauth2\/default/);
  oneProblem({ OKTA_ISSUER: 'https://x.okta.com/' }, /custom authorization server/);
});

test('MCP basic/authorization.mdx (HTTPS for authorization servers): an http issuer on a non-loopback host is refused', () => {
  oneProblem({ OKTA_ISSUER: 'http://x.okta.com/oauth2/default' }, /^OKTA_ISSUER must use https:\/\/ .*got http:\/\/x\.okta\.com/);
});

test('an http issuer on loopback (the development issuer) is allowed', () => {
  assert.equal(loadConfig({ OKTA_ISSUER: 'http://127.0.0.1:4000/oauth2/default' }).auth.issuer, 'http://127.0.0.1:4000/oauth2/default');
  assert.equal(loadConfig({ OKTA_ISSUER: 'http://localhost:4000/oauth2/default' }).auth.issuer, 'http://localhost:4000/oauth2/default');
  assert.equal(loadConfig({ OKTA_ISSUER: 'http://[::1]:4000/oauth2/default' }).auth.issuer, 'http://[::1]:4000/oauth2/default');
});

test('an issuer that is not a URL, or carries a query, is refused', () => {
  oneProblem({ OKTA_ISSUER: 'not a url' }, /^OKTA_ISSUER="not a url" is not an absolute URL/);
  oneProblem({ OKTA_ISSUER: 'https://x.okta.com/oauth2/default?x=1' }, /^OKTA_ISSUER must not carry a query or fragment/);
});

test('STYLE 12: the placeholders of .env.example are refused with the fix', async () => {
  const { values: example, warnings } = parseEnvFile(await readFile(resolve('.env.example'), 'utf8'), SETTINGS);
  assert.deepEqual(warnings, []);
  assert.equal(example.OKTA_DOMAIN, 'your-org.okta.com');
  oneProblem(example, /^OKTA_DOMAIN="your-org\.okta\.com" is the placeholder from \.env\.example; replace it with your Okta value\.$/);
  oneProblem({ OKTA_ISSUER: 'https://your-org.okta.com/oauth2/default' }, /^OKTA_ISSUER=.* is the placeholder/);
});

test('STYLE 12: with no issuer configured the message says how to start locally (npm run dev)', () => {
  const message = oneProblem({}, /No token issuer is configured/);
  assert.match(message, /OKTA_DOMAIN/);
  assert.match(message, /OKTA_ISSUER/);
  assert.match(message, /`npm run dev`/);
});

test('STYLE 12: every problem is reported at once, in one ConfigError', () => {
  const env = { PORT: 'eighty', LOG_LEVEL: 'loud', ALLOWED_ORIGINS: 'nope', MCP_PUBLIC_URL: 'https://m.example.com/mcp?a=1' };
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError);
  assert.equal(caught.name, 'ConfigError');
  assert.equal(caught.problems.length, 5, caught.problems.join('\n'));
  for (const name of ['PORT', 'LOG_LEVEL', 'ALLOWED_ORIGINS', 'MCP_PUBLIC_URL', 'No token issuer']) {
    assert.ok(caught.problems.some((p) => p.includes(name)), `no problem mentions ${name}`);
  }
  assert.equal(caught.message, `invalid configuration:\n  - ${caught.problems.join('\n  - ')}`);
});

test('PORT must be a whole number from 0 to 65535; the message gives the default', () => {
  for (const bad of ['abc', '-1', '65536', '1e3', '80.5', '0x50']) {
    oneProblem({ ...OKTA, PORT: bad }, new RegExp(`^PORT=${JSON.stringify(bad).replace(/[.+]/g, '\\$&')} is not a whole number from 0 to 65535; set it to one or remove it \\(default 9001\\)\\.$`));
  }
  assert.equal(loadConfig({ ...OKTA, PORT: '0' }).port, 0);
  assert.equal(loadConfig({ ...OKTA, PORT: ' 8080 ' }).port, 8080);
  assert.equal(loadConfig({ ...OKTA, PORT: '' }).port, 9001);
});

test('ALLOWED_ORIGINS entries are normalised to scheme://host[:port]; non-origins are refused', () => {
  const config = loadConfig({ ...OKTA, ALLOWED_ORIGINS: 'https://App.Example.com:443/path, http://localhost:3000' });
  assert.deepEqual(config.allowedOrigins, ['https://app.example.com', 'http://localhost:3000']);
  oneProblem({ ...OKTA, ALLOWED_ORIGINS: 'app.example.com' }, /^ALLOWED_ORIGINS entry "app\.example\.com" is not an origin; write it as https:\/\/app\.example\.com\.$/);
  oneProblem({ ...OKTA, ALLOWED_ORIGINS: 'file:///etc' }, /^ALLOWED_ORIGINS entry "file:\/\/\/etc" is not an origin/);
});

test('LOG_LEVEL must be debug, info, warn or error', () => {
  assert.equal(loadConfig({ ...OKTA, LOG_LEVEL: 'debug' }).logLevel, 'debug');
  oneProblem({ ...OKTA, LOG_LEVEL: 'trace' }, /^LOG_LEVEL="trace" is not one of debug, info, warn, error\.$/);
});

test('RFC 9728 §2 (resource identifier): MCP_PUBLIC_URL loses its trailing slash and may not carry a query', () => {
  assert.equal(loadConfig({ ...OKTA, MCP_PUBLIC_URL: 'https://mcp.example.com/mcp/' }).publicUrl, 'https://mcp.example.com/mcp');
  oneProblem({ ...OKTA, MCP_PUBLIC_URL: 'https://mcp.example.com/mcp?tenant=1' }, /^MCP_PUBLIC_URL must not carry a query or fragment/);
  oneProblem({ ...OKTA, MCP_PUBLIC_URL: 'https://mcp.example.com/mcp#x' }, /^MCP_PUBLIC_URL must not carry a query or fragment/);
  oneProblem({ ...OKTA, MCP_PUBLIC_URL: 'http://mcp.example.com/mcp' }, /^MCP_PUBLIC_URL must use https:\/\//);
  assert.equal(loadConfig({ ...OKTA, MCP_PUBLIC_URL: 'http://127.0.0.1:9001/mcp' }).publicUrl, 'http://127.0.0.1:9001/mcp');
});

test('STYLE 12: the returned Config and its auth section are frozen', () => {
  const config: Config = loadConfig(OKTA);
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.auth));
  assert.throws(() => {
    (config as { port: number }).port = 1;
  }, TypeError);
});

test('STYLE 12: readEnvironment fills .env in beneath the real environment, which wins', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'config-test-'));
  try {
    await writeFile(join(dir, '.env'), 'PORT=1234\nOKTA_DOMAIN=file.okta.com\nLOG_LEVEL=debug\n');
    const { env, warnings } = readEnvironment(dir, { PORT: '5678', HOST: '::1' });
    assert.deepEqual({ ...env }, { PORT: '5678', OKTA_DOMAIN: 'file.okta.com', LOG_LEVEL: 'debug', HOST: '::1' });
    assert.deepEqual(warnings, []);
    const config = loadConfig(env);
    assert.equal(config.port, 5678);
    assert.equal(config.auth.issuer, 'https://file.okta.com/oauth2/default');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('readEnvironment without a .env file returns the real environment alone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'config-test-'));
  try {
    assert.deepEqual(readEnvironment(dir, { A: '1' }), { env: { A: '1' }, warnings: [] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('readEnvironment passes on what .env got wrong: a misspelt key is named with the closest setting', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'config-test-'));
  try {
    await writeFile(join(dir, '.env'), 'OKTA_DOMIAN=acme.okta.com\n');
    const { env, warnings } = readEnvironment(dir, {});
    assert.equal(env.OKTA_DOMIAN, 'acme.okta.com');
    assert.deepEqual(warnings, ['.env line 1: OKTA_DOMIAN is not a setting of this server and is ignored; did you mean OKTA_DOMAIN?']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('readEnvironment reports an unreadable .env (not ENOENT) instead of ignoring it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'config-test-'));
  try {
    // A directory named .env cannot be read as a file: EISDIR.
    await mkdir(join(dir, '.env'));
    assert.throws(() => readEnvironment(dir, {}), { code: 'EISDIR' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a HOST that serves other machines needs MCP_PUBLIC_URL, the URL clients use (RFC 9728 §3.3 resource)', () => {
  assert.throws(() => loadConfig({ OKTA_DOMAIN: 'acme.okta.com', HOST: '0.0.0.0' }),
    (error: unknown) => error instanceof ConfigError && error.problems.some((p) => /HOST=0\.0\.0\.0 .*MCP_PUBLIC_URL/.test(p)));
  const config = loadConfig({ OKTA_DOMAIN: 'acme.okta.com', HOST: '0.0.0.0', MCP_PUBLIC_URL: 'https://mcp.acme.com/mcp' });
  assert.equal(config.publicUrl, 'https://mcp.acme.com/mcp');
});

test('issues 12–14 settings: the requestState key, the database, DPoP and the proxy variables', () => {
  const base = { OKTA_DOMAIN: 'x.okta.com' };
  const hex = 'ab'.repeat(32);
  const config = loadConfig({ ...base, REQUEST_STATE_KEY: hex, DATABASE_URL: 'postgres://u:p@db:5432/incidents', OKTA_REQUIRE_DPOP: '1', https_proxy: 'http://proxy:3128', NO_PROXY: 'localhost, .corp.example' });
  assert.deepEqual([...(config.requestStateKey ?? [])], [...Buffer.from(hex, 'hex')]);
  assert.deepEqual(config.database, { url: 'postgres://u:p@db:5432/incidents', maxConnections: 10 });
  assert.equal(config.auth.requireDpop, true);
  assert.deepEqual(config.egress, { httpsProxy: 'http://proxy:3128', httpProxy: undefined, noProxy: ['localhost', '.corp.example'] });
  const defaults = loadConfig(base);
  assert.equal(defaults.requestStateKey, undefined);
  assert.equal(defaults.database, undefined);
  assert.equal(defaults.auth.requireDpop, false);
  assert.throws(
    () => loadConfig({ ...base, REQUEST_STATE_KEY: 'short', DATABASE_URL: 'mysql://u:secret@db/x', OKTA_REQUIRE_DPOP: 'yes' }),
    (error: ConfigError) => {
      assert.equal(error.problems.length, 3);
      assert.ok(!error.message.includes('secret'), 'the database URL is never echoed');
      return true;
    },
  );
});
