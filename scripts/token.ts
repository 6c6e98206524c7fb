/**
 * `npm run token -- --scope "incidents:read"`: asks a running development issuer for an access
 * token and prints only the token, so `TOKEN=$(npm run --silent token)` works. `--help` prints the
 * usage; an unknown option prints it too and exits 2.
 */
import { parseArgs } from 'node:util';
import { DEV_CLIENT_ID, DEV_CLIENT_SECRET, defaultIssuer, requestDevToken } from './dev-token.ts';

const USAGE = `usage: npm run --silent token [-- options]

Prints an access token from the development issuer started by \`npm run dev\`.

  --scope "S1 S2"        scopes to ask for (default: every scope the client may have,
                         incidents:read incidents:write)
  --issuer URL           the issuer (default: DEV_ISSUER_URL, else
                         http://127.0.0.1:\${DEV_ISSUER_PORT:-9002}/oauth2/default)
  --client-id ID         default ${DEV_CLIENT_ID}
  --client-secret SECRET default ${DEV_CLIENT_SECRET}
  -h, --help             this text

Example: export TOKEN=$(npm run --silent token -- --scope incidents:read)
`;

function parse(): ReturnType<typeof read> {
  try {
    return read();
  } catch (error) {
    // parseArgs' own message names the option (ERR_PARSE_ARGS_UNKNOWN_OPTION and friends).
    process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
}

function read() {
  return parseArgs({
    options: {
      scope: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string', default: DEV_CLIENT_ID },
      'client-secret': { type: 'string', default: DEV_CLIENT_SECRET },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

const values = parse();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
try {
  const token = await requestDevToken({
    issuer: values.issuer ?? defaultIssuer(process.env),
    scope: values.scope,
    clientId: values['client-id'],
    clientSecret: values['client-secret'],
  });
  process.stdout.write(`${token}\n`);
} catch (error) {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
