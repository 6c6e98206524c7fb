/**
 * Asking a running development issuer (`npm run dev`) for an access token: RFC 6749 §4.4 client
 * credentials with client_secret_basic. Shared by `npm run token` and `npm run inspector`; it does
 * not talk to real Okta on purpose.
 */

export const DEV_CLIENT_ID = 'dev-client';
export const DEV_CLIENT_SECRET = 'dev-secret';

/** DEV_ISSUER_URL, else the development issuer on DEV_ISSUER_PORT (default 9002). */
export function defaultIssuer(env: NodeJS.ProcessEnv): string {
  return env.DEV_ISSUER_URL ?? `http://127.0.0.1:${env.DEV_ISSUER_PORT ?? '9002'}/oauth2/default`;
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before the Basic encoding. */
function basic(id: string, secret: string): string {
  const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

export interface TokenRequest {
  issuer: string;
  scope?: string | undefined;
  clientId?: string;
  clientSecret?: string;
}

/**
 * The access token, or an Error whose message says what to do (no issuer answering, or the
 * issuer's own error and description).
 */
export async function requestDevToken(request: TokenRequest): Promise<string> {
  const issuer = request.issuer.replace(/\/+$/, '');
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (request.scope !== undefined) body.set('scope', request.scope);
  let response: Response;
  try {
    response = await fetch(`${issuer}/v1/token`, {
      method: 'POST',
      headers: { authorization: basic(request.clientId ?? DEV_CLIENT_ID, request.clientSecret ?? DEV_CLIENT_SECRET), accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    throw new Error(`no development issuer is answering at ${issuer}: start \`npm run dev\` first (or pass --issuer URL).`);
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
    throw new Error(`${issuer}/v1/token answered ${response.status} (${reason})`);
  }
  return answer.access_token;
}
