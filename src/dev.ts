/**
 * `npm run dev`: the server together with an in-process development issuer on loopback that
 * behaves like an Okta custom authorization server, so the server can be tried without an Okta
 * tenant. Prints a ready token, the curl line and the MCP Inspector steps. For development only:
 * it refuses non-loopback binds and says so loudly.
 */
import { startServer } from './app.ts';
import { DEV_USERS, INSPECTOR_REDIRECT_URI, PUBLIC_CLIENT_ID, startDevIssuer } from './auth/dev-issuer.ts';
import { isLoopbackHost, readEnvironment, type Env } from './config.ts';
import { configure, requireSupportedNode, stopOnSignals } from './entry.ts';

/** `npm run token` and `npm run inspector` look for the issuer, and the server, here unless told otherwise. */
const DEFAULT_ISSUER_PORT = 9002;
const DEFAULT_URL = 'http://127.0.0.1:9001/mcp';

/** The issuer's port: DEV_ISSUER_PORT, or 9002. */
function issuerPort(env: Env): number {
  const raw = env.DEV_ISSUER_PORT?.trim() || String(DEFAULT_ISSUER_PORT);
  const port = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || port < 1 || port > 65535) throw new Error(`DEV_ISSUER_PORT=${JSON.stringify(raw)} is not a port from 1 to 65535.`);
  return port;
}

function banner(url: string, issuer: { issuer: string; clientId: string; clientSecret: string }, port: number, file: string, token: string): string {
  const bar = '='.repeat(78);
  // The helper scripts default to ports 9001 and 9002; any other has to be named to them.
  const issuerFlag = port === DEFAULT_ISSUER_PORT ? '' : ` --issuer ${issuer.issuer}`;
  const inspectorFlags = `${url === DEFAULT_URL ? '' : ` --url ${url}`}${issuerFlag}`;
  return [
    bar,
    ' DEVELOPMENT MODE: tokens come from a local test issuer, not from Okta.',
    ' Never expose this process to a network.',
    bar,
    `MCP endpoint:   ${url}`,
    `Issuer:         ${issuer.issuer}   (machine client ${issuer.clientId} / ${issuer.clientSecret})`,
    `Incidents file: ${file}`,
    '',
    'Token (incidents:read incidents:write, valid 12 h):',
    token,
    '',
    'Try it (in another terminal):',
    `  export TOKEN=$(npm run --silent token${issuerFlag === '' ? '' : ` --${issuerFlag}`})`,
    `  curl -si ${url} -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `    -H 'Accept: application/json, text/event-stream' \\`,
    `    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'`,
    '',
    `MCP Inspector: npm run inspector${inspectorFlags === '' ? '' : ` --${inspectorFlags}`}`,
    '  opens Inspector 2.x with this server and a fresh token already filled in: click Connect.',
    '  By hand: add a server, Transport "Streamable HTTP", URL above; then the server card\'s',
    '  Settings → Custom Headers: Authorization = Bearer <token above>; Save, then Connect.',
    `A read-only token: npm run --silent token --${issuerFlag} --scope incidents:read`,
    'DPoP (RFC 9449): send a DPoP proof to the token endpoint for a bound token; use it as "Authorization: DPoP <token>" + a DPoP proof.',
    '',
    'A person signing in (authorization code + PKCE S256) instead of a pasted token:',
    `  client id ${PUBLIC_CLIENT_ID} (public, no secret); redirect URI ${INSPECTOR_REDIRECT_URI}`,
    '  or any loopback port. The sign-in page at the issuer\'s /v1/authorize offers:',
    ...DEV_USERS.map((u) => `    ${u.login.padEnd(20)} ${u.scopes.join(' ')}`),
    `  In npx @modelcontextprotocol/inspector: add the server, then Settings → OAuth Settings → Client ID ${PUBLIC_CLIENT_ID}.`,
    '',
    'With Okta: HTTPS_PROXY / NO_PROXY route the key fetches, NODE_EXTRA_CA_CERTS adds a corporate CA (README "Using it with Okta").',
    bar,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  requireSupportedNode();
  const { env, warnings } = readEnvironment();
  const host = env.HOST?.trim() || '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`npm run dev serves loopback only; HOST=${host} is refused. Use npm start with a real Okta issuer to serve a network.`);
  const port = issuerPort(env);
  const issuer = await startDevIssuer({ host: '127.0.0.1', port });
  const { config, logger } = configure({ ...env, OKTA_ISSUER: issuer.issuer, OKTA_AUDIENCE: issuer.audience, OKTA_DOMAIN: undefined }, warnings);
  // Signals are handled from before the banner: a SIGINT that follows it at once is not fatal.
  const running = startServer(config, { logger });
  stopOnSignals(logger, async (graceMs) => {
    await Promise.all([running.then((server) => server.close(graceMs)), issuer.close()]);
  });
  const token = await issuer.mint({ expiresIn: 12 * 3600 });
  process.stdout.write(banner((await running).url, issuer, port, config.incidentsFile, token));
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run dev could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
