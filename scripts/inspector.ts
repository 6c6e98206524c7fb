/**
 * `npm run inspector`: MCP Inspector 2.x (the pinned devDependency) in its web UI, already pointed
 * at the running development server with a fresh token from its issuer: the server is listed with
 * its URL, transport and `Authorization` header filled in, so the only click left is Connect.
 * Start `npm run dev` first. `--help` prints the options.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultIssuer, requestDevToken } from './dev-token.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const LAUNCHER = resolve(ROOT, 'node_modules/.bin/mcp-inspector');

const USAGE = `usage: npm run inspector [-- options]

Opens MCP Inspector's web UI with the development server already added, token included.

  --url URL      the MCP endpoint (default http://127.0.0.1:\${PORT:-9001}/mcp)
  --issuer URL   the development issuer (default: DEV_ISSUER_URL, else
                 http://127.0.0.1:\${DEV_ISSUER_PORT:-9002}/oauth2/default)
  --scope "S.."  scopes for the token (default incidents:read incidents:write)
  -h, --help     this text
`;

function options(): { url: string; issuer: string; scope: string | undefined } {
  try {
    const { values } = parseArgs({
      options: { url: { type: 'string' }, issuer: { type: 'string' }, scope: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    return {
      url: values.url ?? `http://127.0.0.1:${process.env.PORT ?? '9001'}/mcp`,
      issuer: values.issuer ?? defaultIssuer(process.env),
      scope: values.scope,
    };
  } catch (error) {
    process.stderr.write(`inspector: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
}

const { url, issuer, scope } = options();
let token: string;
try {
  token = await requestDevToken({ issuer, scope });
} catch (error) {
  process.stderr.write(`inspector: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
process.stderr.write(
  `inspector: ${url} is added to the Inspector with a fresh token (Authorization header, valid 1 h).\n` +
    'inspector: in the page that opens (or the URL printed below), click Connect on the server card.\n',
);
// The launcher's own flags: an ad-hoc server (URL + transport) with its headers, shown in the web UI.
const child = spawn(process.execPath, [LAUNCHER, '--web', '--transport', 'http', '--server-url', url, '--header', `Authorization: Bearer ${token}`], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
