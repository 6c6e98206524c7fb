/**
 * The development issuer's authorization endpoint, `{issuer}/v1/authorize` (RFC 6749 §4.1.1): a
 * plain HTML sign-in page (no script) where a person picks a development user and approves the
 * requested scopes, and the form POST that answers the client with `code`, `state` and `iss`
 * (RFC 9207). It checks the request (client, redirect URI, PKCE S256) and holds it under an
 * unguessable transaction id; codes and tokens are dev-oauth.ts's. Development and tests only,
 * loopback only: there is no password, anyone who can reach it signs in.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEV_SCOPES, DEV_USERS, OIDC_SCOPES, findUser, redirectAllowed } from './dev-clients.ts';
import type { DevClient } from './dev-clients.ts';
import { readForm } from './dev-http.ts';
import type { Approval, DevGrants } from './dev-oauth.ts';

/** How long the page may stay open before its transaction is forgotten. */
const TRANSACTION_MS = 10 * 60 * 1000;
const MAX_TRANSACTIONS = 1000;
/** RFC 7636 §4.2: BASE64URL of a SHA-256 digest is 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

interface Pending extends Omit<Approval, 'user' | 'scopes'> {
  readonly state: string | undefined;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
}

/** What the sign-in flow needs from the issuer. */
export interface SignInContext {
  readonly issuer: string;
  readonly now: () => Date;
  readonly clients: ReadonlyMap<string, DevClient>;
  readonly grants: DevGrants;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for an HTML text node or a quoted attribute value. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // No script at all; no framing (clickjacking of the Allow button).
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const STYLE = 'body{font:16px system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em}label{display:block;margin:.4em 0}.warn{color:#8a4b00}button{margin-right:.5em;padding:.4em 1.2em}';

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, PAGE_HEADERS);
  res.end(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>\n`);
}

/** RFC 6749 §4.1.2.1: without a valid client and redirect URI, the error is shown, not redirected. */
const errorPage = (res: ServerResponse, message: string): void => page(res, 400, 'Sign-in error', `<h1>Sign-in error</h1><p>${escapeHtml(message)}</p>`);

/** Redirects to the client with the given parameters plus `iss` (RFC 9207 §2). */
function redirect(res: ServerResponse, issuer: string, redirectUri: string, params: Record<string, string | undefined>): void {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries({ ...params, iss: issuer })) if (value !== undefined) url.searchParams.append(name, value);
  // 303: the browser follows a form POST's answer with a GET.
  res.writeHead(303, { location: url.href, 'cache-control': 'no-store' });
  res.end();
}

/** The authorization endpoint of one issuer. */
export class DevSignIn {
  readonly #context: SignInContext;
  readonly #pending = new Map<string, Pending>();

  constructor(context: SignInContext) {
    this.#context = context;
  }

  /** GET and POST `{issuer}/v1/authorize`. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'POST') return this.#complete(req, res);
    const query = new URL(req.url ?? '/', 'http://dev-issuer').searchParams;
    const client = this.#context.clients.get(query.get('client_id') ?? '');
    if (client === undefined) return errorPage(res, 'Unknown client_id.');
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!redirectAllowed(client, redirectUri)) return errorPage(res, 'redirect_uri is not registered for this client.');
    const state = query.get('state') ?? undefined;
    const fail = (error: string, description: string): void =>
      redirect(res, this.#context.issuer, redirectUri, { error, error_description: description, state });
    const checked = this.#check(client, query);
    if ('error' in checked) return fail(checked.error, checked.description);
    const transaction = randomBytes(24).toString('base64url');
    this.#hold(transaction, { client, redirectUri, state, ...checked, expiresAt: this.#context.now().getTime() + TRANSACTION_MS });
    this.#render(res, transaction, client, checked.scopes);
  }

  /** The request's remaining parameters, or why it is refused (RFC 6749 §4.1.2.1 error codes). */
  #check(client: DevClient, query: URLSearchParams): Pick<Pending, 'codeChallenge' | 'scopes' | 'nonce'> | { error: string; description: string } {
    const refuse = (error: string, description: string) => ({ error, description });
    if (query.get('response_type') !== 'code') return refuse('unsupported_response_type', 'Only response_type=code is supported.');
    if (!client.grantTypes.includes('authorization_code')) return refuse('unauthorized_client', 'The client may not use the authorization code grant.');
    const mode = query.get('response_mode');
    if (mode !== null && mode !== 'query') return refuse('invalid_request', 'Only response_mode=query is supported.');
    // RFC 7636 §4.3 (absent method means plain) + OAuth 2.1: S256 only, as Okta.
    if (query.get('code_challenge_method') !== 'S256') return refuse('invalid_request', 'code_challenge_method must be S256; plain is not supported.');
    const codeChallenge = query.get('code_challenge') ?? '';
    if (!S256_CHALLENGE.test(codeChallenge)) return refuse('invalid_request', 'code_challenge must be a base64url SHA-256 digest (43 characters).');
    const asked = [...new Set((query.get('scope') ?? '').split(' ').filter((s) => s !== ''))];
    const unknown = asked.filter((s) => !DEV_SCOPES.includes(s) && !OIDC_SCOPES.includes(s));
    if (unknown.length > 0) return refuse('invalid_scope', `Unknown scope: ${unknown.join(' ').slice(0, 200)}`);
    // Okta applies the authorization server's default scopes when none are asked for.
    return { codeChallenge, scopes: asked.length > 0 ? asked : DEV_SCOPES, nonce: query.get('nonce') ?? undefined };
  }

  #hold(transaction: string, pending: Pending): void {
    const now = this.#context.now().getTime();
    for (const [id, held] of this.#pending) if (held.expiresAt <= now) this.#pending.delete(id);
    if (this.#pending.size >= MAX_TRANSACTIONS) this.#pending.delete(this.#pending.keys().next().value ?? '');
    this.#pending.set(transaction, pending);
  }

  #render(res: ServerResponse, transaction: string, client: DevClient, scopes: readonly string[], notice = ''): void {
    const users = DEV_USERS.map((user, index) =>
      `<label><input type="radio" name="login" value="${escapeHtml(user.login)}"${index === 0 ? ' checked' : ''}> ${escapeHtml(user.name)} &lt;${escapeHtml(user.login)}&gt;: may have ${escapeHtml(user.scopes.join(' '))}</label>`,
    ).join('');
    const asked = scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('');
    page(res, notice === '' ? 200 : 400, 'Sign in: development issuer', [
      '<h1>Sign in</h1>',
      '<p class="warn">Development issuer on loopback: no passwords. Pick a user.</p>',
      notice === '' ? '' : `<p class="warn">${escapeHtml(notice)}</p>`,
      `<p>The application <strong>${escapeHtml(client.clientId)}</strong> asks for:</p><ul>${asked}</ul>`,
      `<form method="post" action="${escapeHtml(`${this.#context.issuer}/v1/authorize`)}">`,
      `<input type="hidden" name="transaction" value="${escapeHtml(transaction)}">`,
      `<fieldset><legend>User</legend>${users}</fieldset>`,
      '<p>Each user gets the requested scopes they may have.</p>',
      '<button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny">Deny</button>',
      '</form>',
    ].join('\n'));
  }

  /** The form POST: a code for the chosen user, or access_denied. */
  async #complete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const transaction = form?.get('transaction') ?? '';
    const pending = this.#pending.get(transaction);
    if (form === undefined || pending === undefined || pending.expiresAt <= this.#context.now().getTime()) {
      return errorPage(res, 'This sign-in request is unknown or has expired: start again from the application.');
    }
    const { issuer } = this.#context;
    const user = findUser(form.get('login'));
    const decision = form.get('decision');
    if (decision !== 'deny' && user === undefined) return this.#render(res, transaction, pending.client, pending.scopes, 'Pick one of the users.');
    this.#pending.delete(transaction);
    const { state } = pending;
    const scopes = user === undefined ? [] : pending.scopes.filter((s) => OIDC_SCOPES.includes(s) || user.scopes.includes(s));
    if (decision !== 'allow' || user === undefined || scopes.length === 0) {
      return redirect(res, issuer, pending.redirectUri, { error: 'access_denied', error_description: 'The user did not grant any of the requested scopes.', state });
    }
    const code = this.#context.grants.issueCode({ ...pending, user, scopes });
    redirect(res, issuer, pending.redirectUri, { code, state });
  }
}
