/**
 * `npm run dev`: the server together with an in-process development issuer on loopback that
 * behaves like an Okta custom authorization server, so the server can be tried without an Okta
 * tenant. Prints a ready token, the curl line and the MCP Inspector settings. For development
 * only: it refuses non-loopback binds and says so loudly.
 */
import { startServer } from './app.ts';
import { startDevIssuer } from './auth/dev-issuer.ts';
import { ConfigError, isLoopbackHost, loadConfig, readEnvironment } from './config.ts';

/** The issuer's port: DEV_ISSUER_PORT, or 9002 (`npm run token` looks there by default). */
function issuerPort(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.DEV_ISSUER_PORT?.trim() || '9002';
  const port = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || port < 1 || port > 65535) throw new Error(`DEV_ISSUER_PORT=${JSON.stringify(raw)} is not a port from 1 to 65535.`);
  return port;
}

async function main(): Promise<void> {
  const env = readEnvironment();
  const host = env.HOST?.trim() || '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`npm run dev serves loopback only; HOST=${host} is refused. Use npm start with a real Okta issuer to serve a network.`);
  const issuer = await startDevIssuer({ host: '127.0.0.1', port: issuerPort(env) });
  let config;
  try {
    config = loadConfig({ ...env, OKTA_ISSUER: issuer.issuer, OKTA_AUDIENCE: issuer.audience, OKTA_DOMAIN: undefined });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      await issuer.close();
      process.exit(1);
    }
    throw error;
  }
  const running = await startServer(config);
  const token = await issuer.mint({ expiresIn: 12 * 3600 });
  const bar = '='.repeat(78);
  process.stdout.write(
    [
      bar,
      ' DEVELOPMENT MODE: tokens come from a local test issuer, not from Okta.',
      ' Never expose this process to a network.',
      bar,
      `MCP endpoint:   ${running.url}`,
      `Issuer:         ${issuer.issuer}   (client ${issuer.clientId} / ${issuer.clientSecret})`,
      `Incidents file: ${config.incidentsFile}`,
      '',
      'Token (incidents:read incidents:write, valid 12 h):',
      token,
      '',
      'Try it:',
      `  export TOKEN=${token.slice(0, 12)}...   # the whole token above`,
      `  curl -si ${running.url} -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
      `    -H 'Accept: application/json, text/event-stream' \\`,
      `    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'`,
      '',
      'MCP Inspector: npx @modelcontextprotocol/inspector, then Transport "Streamable HTTP",',
      `  URL ${running.url}, Authentication → header "Authorization" = "Bearer <token above>".`,
      'A read-only token: npm run token -- --scope "incidents:read"',
      bar,
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    void Promise.all([running.close(2000), issuer.close()]).then(() => process.exit(0), (error: unknown) => {
      // A failed final save loses nothing: the journal keeps every acknowledged change.
      process.stderr.write(`shutdown incomplete; pending changes stay in the journal: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run dev could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
