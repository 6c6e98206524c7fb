/**
 * `npm run token -- --scope "incidents:read"`: asks a running development issuer for an access
 * token (RFC 6749 §4.4 client credentials, client_secret_basic) and prints only the token, so
 * `TOKEN=$(npm run -s token)` works. The issuer comes from `--issuer URL`, else DEV_ISSUER_URL,
 * else http://127.0.0.1:9002/oauth2/default. It does not talk to real Okta on purpose.
 */
import { parseArgs } from 'node:util';

const DEFAULT_ISSUER = 'http://127.0.0.1:9002/oauth2/default';

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n`);
  process.exit(1);
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before the Basic encoding. */
function basic(id: string, secret: string): string {
  const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scope: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string', default: 'dev-client' },
      'client-secret': { type: 'string', default: 'dev-secret' },
    },
  });
  const issuer = (values.issuer ?? process.env['DEV_ISSUER_URL'] ?? DEFAULT_ISSUER).replace(/\/+$/, '');
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (values.scope !== undefined) body.set('scope', values.scope);
  let response: Response;
  try {
    response = await fetch(`${issuer}/v1/token`, {
      method: 'POST',
      headers: { authorization: basic(values['client-id'], values['client-secret']), accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    fail(`no development issuer is answering at ${issuer}: start \`npm run dev\` first (or pass --issuer URL).`);
  }
  const text = await response.text();
  let answer: { access_token?: unknown; error?: unknown; error_description?: unknown } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    // Reported below with the status.
  }
  if (!response.ok || typeof answer.access_token !== 'string') {
    const reason = typeof answer.error === 'string' ? `${answer.error}: ${String(answer.error_description ?? '')}` : text.slice(0, 200);
    fail(`${issuer}/v1/token answered ${response.status} (${reason})`);
  }
  process.stdout.write(`${answer.access_token}\n`);
}

await main();
