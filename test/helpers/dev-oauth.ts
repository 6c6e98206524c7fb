/**
 * A scripted person and public client for the development issuer's authorization code flow:
 * PKCE values, the sign-in page fetched and its form posted (no browser), and the code exchanged.
 * Everything goes over real HTTP to a real issuer.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { DevIssuer } from '../../src/auth/dev-issuer.ts';
import { s256 } from '../../src/auth/dev-oauth.ts';

export const REDIRECT_URI = 'http://localhost:6274/oauth/callback';

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

/** RFC 7636 §4.1-4.2: a 43-character verifier and its S256 challenge. */
export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier) };
}

/** The authorization request URL of the public client, with overridable parameters (undefined drops one). */
export function authorizeUrl(issuer: DevIssuer, challenge: string, params: Record<string, string | undefined> = {}): string {
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: issuer.publicClientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid incidents:read incidents:write',
    state: 'st-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...params,
  };
  const url = new URL(issuer.authorizationEndpoint);
  for (const [name, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}

/** The sign-in page's form: where it posts and its hidden transaction id. */
export function readForm(html: string): { action: string; transaction: string } {
  const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
  const transaction = /name="transaction" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(action !== undefined && transaction !== undefined, 'the page has the sign-in form');
  return { action: action.replace(/&amp;/g, '&'), transaction };
}

/** Posts the sign-in form as a browser would; returns the answer unfollowed. */
export function postSignIn(action: string, fields: Record<string, string>): Promise<Response> {
  return fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields), redirect: 'manual' });
}

/** GETs the authorize URL, picks `login`, allows, and returns the redirect's URL. */
export async function signIn(url: string, login = 'ada@example.com', decision = 'allow'): Promise<URL> {
  const page = await fetch(url);
  assert.equal(page.status, 200, 'the sign-in page is served');
  const { action, transaction } = readForm(await page.text());
  const answer = await postSignIn(action, { transaction, login, decision });
  assert.equal(answer.status, 303);
  return new URL(answer.headers.get('location') ?? '');
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs a form to the token endpoint. */
export async function tokenRequest(issuer: DevIssuer, form: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenAnswer> {
  const response = await fetch(issuer.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** RFC 6749 §4.1.3 + RFC 7636 §4.5: the public client's code exchange. */
export function exchange(issuer: DevIssuer, code: string, verifier: string, redirectUri = REDIRECT_URI): Promise<TokenAnswer> {
  return tokenRequest(issuer, { grant_type: 'authorization_code', client_id: issuer.publicClientId, code, code_verifier: verifier, redirect_uri: redirectUri });
}

/** The whole flow for `login` and `scope`: the token answer. */
export async function userTokens(issuer: DevIssuer, scope: string, login = 'ada@example.com'): Promise<TokenAnswer> {
  const { verifier, challenge } = pkce();
  const back = await signIn(authorizeUrl(issuer, challenge, { scope }), login);
  return exchange(issuer, back.searchParams.get('code') ?? '', verifier);
}
