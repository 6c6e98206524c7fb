/**
 * A scripted person and public client for the development issuer's authorization code flow:
 * PKCE values, the sign-in page fetched and its form posted (no browser), and the code exchanged;
 * and ScriptedPublicClient, an OAuthClientProvider of the official SDK clients that signs a person in
 * the same way. Everything goes over real HTTP to a real issuer.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PUBLIC_CLIENT_ID } from '../../src/auth/dev-clients.ts';
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

/** What one trip to the sign-in page gave: the authorize URL the client built, and where the page sent the person. */
export interface SignInTrip {
  readonly authorize: URL;
  /** The redirect back to the client (a code, or an error), or undefined when the page refused the request. */
  readonly callback: URL | undefined;
  /** The page's answer when it refused the request itself (RFC 6749 §4.1.2.1: never redirected). */
  readonly refused?: { readonly status: number; readonly text: string };
}

/**
 * An OAuthClientProvider of the official SDK clients (v1 and v2 share the shape; `Tokens` and
 * `Discovery` are each SDK's own types) for the pre-registered public client `dev-public`, with
 * no dynamic registration, as in Okta. "Redirecting the person" is a scripted sign-in: the page
 * is fetched, `login` is picked, Allow is posted; each trip is kept in `trips`. Tests may change
 * `login` between trips, and `verifierOverride` sends another PKCE verifier than the one saved.
 */
export class ScriptedPublicClient<Tokens, Discovery> {
  readonly trips: SignInTrip[] = [];
  /** What the SDK asked to forget (`invalidateCredentials`), in order. */
  readonly invalidated: string[] = [];
  #tokens: Tokens | undefined;
  #discovery: Discovery | undefined;
  #verifier = '';
  /** A code_verifier to present instead of the saved one (RFC 7636 §4.6 negative). */
  verifierOverride: string | undefined;

  constructor(
    public login: string,
    readonly redirectUri = REDIRECT_URI,
    readonly stateValue = 'scripted-state',
  ) {}

  get redirectUrl(): string {
    return this.redirectUri;
  }
  get clientMetadata() {
    return { redirect_uris: [this.redirectUri], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], client_name: 'scripted' };
  }
  state(): string {
    return this.stateValue;
  }
  clientInformation(): { client_id: string } {
    return { client_id: PUBLIC_CLIENT_ID };
  }
  tokens(): Tokens | undefined {
    return this.#tokens;
  }
  saveTokens(tokens: Tokens): void {
    this.#tokens = tokens;
  }
  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifierOverride ?? this.#verifier;
  }
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    this.invalidated.push(scope);
    if (scope === 'all' || scope === 'tokens') this.#tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this.#verifier = '';
    if (scope === 'all' || scope === 'discovery') this.#discovery = undefined;
  }
  saveDiscoveryState(state: Discovery): void {
    this.#discovery = state;
  }
  discoveryState(): Discovery | undefined {
    return this.#discovery;
  }
  /** The person follows the link: the page, then Allow as `login` (a form post, no browser). */
  async redirectToAuthorization(authorize: URL): Promise<void> {
    const page = await fetch(authorize, { redirect: 'manual' });
    const text = await page.text();
    if (page.status !== 200) {
      this.trips.push({ authorize, callback: page.status === 303 ? new URL(page.headers.get('location') ?? '') : undefined, refused: { status: page.status, text } });
      return;
    }
    const { action, transaction } = readForm(text);
    const answer = await postSignIn(action, { transaction, login: this.login, decision: 'allow' });
    assert.equal(answer.status, 303);
    this.trips.push({ authorize, callback: new URL(answer.headers.get('location') ?? '') });
  }
  /** The redirect back of the last trip, asserting there was one. */
  lastCallback(): URL {
    const callback = this.trips.at(-1)?.callback;
    assert.ok(callback !== undefined, 'the person was sent to the sign-in page and back');
    return callback;
  }
}
