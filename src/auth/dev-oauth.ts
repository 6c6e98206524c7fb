/**
 * The development issuer's token endpoint, `{issuer}/v1/token` (RFC 6749 §3.2): the
 * client_credentials (§4.4), authorization_code with PKCE S256 (§4.1.3, RFC 7636 §4.6) and
 * refresh_token (§6, rotated: the old one is dead once used) grants, and the short-lived,
 * single-use codes and the refresh tokens they rely on. Tokens are shaped as Okta's (okta.md), and
 * bound to a key when the request carries a DPoP proof (dev-dpop.ts, RFC 9449 §5).
 * Development and tests only, loopback only; it does not render the sign-in page (dev-signin.ts).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DEV_SCOPES, authenticateClient } from './dev-clients.ts';
import type { DevDpop } from './dev-dpop.ts';
import type { DevClient, DevUser } from './dev-clients.ts';
import { readForm, refuse } from './dev-http.ts';
import type { OAuthRefusal } from './dev-http.ts';
import type { MintOptions } from './dev-keys.ts';

export const ACCESS_TOKEN_SECONDS = 3600;
/** How long an authorization code lives (Okta's are minutes; short is the point). */
export const CODE_SECONDS = 60;
const REFRESH_TOKEN_SECONDS = 7 * 24 * 3600;

/** What the grants need from the issuer: its clock, its clients and a signer. */
export interface GrantContext {
  readonly now: () => Date;
  readonly clients: ReadonlyMap<string, DevClient>;
  readonly mint: (options: MintOptions) => Promise<string>;
  readonly dpop: DevDpop;
}

/** An approved authorization request, waiting for its code to be exchanged. */
export interface Approval {
  readonly client: DevClient;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly user: DevUser;
  readonly scopes: readonly string[];
  readonly nonce: string | undefined;
}

interface Held {
  readonly approval: Approval;
  readonly expiresAt: number;
}

type Grant = Pick<Approval, 'client' | 'user' | 'scopes' | 'nonce'>;

/** RFC 6749 §5.1 successful token response. */
export type TokenResponse = Record<string, string | number>;

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);
const opaque = (): string => randomBytes(32).toString('base64url');
const splitScope = (scope: string | null): string[] => [...new Set((scope ?? '').split(' ').filter((s) => s !== ''))];

/** RFC 9449 §6.1: a DPoP-bound token confirms the key's thumbprint in `cnf.jkt`. */
const confirmation = (jkt: string | undefined): Record<string, unknown> => (jkt === undefined ? {} : { cnf: { jkt } });
/** RFC 9449 §5.1: the token type says whether the token is DPoP-bound. */
const tokenType = (jkt: string | undefined): string => (jkt === undefined ? 'Bearer' : 'DPoP');

/** RFC 7636 §4.1: code_verifier = 43*128unreserved. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. */
export const s256 = (verifier: string): string => createHash('sha256').update(verifier, 'ascii').digest('base64url');

/** Codes and refresh tokens of one issuer, and the grants that consume them. */
export class DevGrants {
  readonly #context: GrantContext;
  readonly #codes = new Map<string, Held>();
  readonly #refreshTokens = new Map<string, { readonly grant: Grant; readonly expiresAt: number; readonly jkt: string | undefined }>();

  constructor(context: GrantContext) {
    this.#context = context;
  }

  /** Holds an approval under a fresh code for CODE_SECONDS; returns the code. */
  issueCode(approval: Approval): string {
    const now = seconds(this.#context.now());
    for (const [code, held] of this.#codes) if (held.expiresAt <= now) this.#codes.delete(code);
    const code = opaque();
    this.#codes.set(code, { approval, expiresAt: now + CODE_SECONDS });
    return code;
  }

  /** The grant behind a live refresh token, for introspection. */
  refreshGrant(token: string): { grant: Grant; expiresAt: number } | undefined {
    const held = this.#refreshTokens.get(token);
    return held !== undefined && held.expiresAt > seconds(this.#context.now()) ? held : undefined;
  }

  /** RFC 7009 §2.2: forgets a refresh token; true when there was one. */
  revokeRefreshToken(token: string, client: DevClient): boolean {
    const held = this.#refreshTokens.get(token);
    if (held === undefined || held.grant.client !== client) return false;
    return this.#refreshTokens.delete(token);
  }

  /** `POST {issuer}/v1/token`: the token response or the refusal to send. */
  async token(req: IncomingMessage): Promise<TokenResponse | OAuthRefusal> {
    const form = await readForm(req);
    if (form === undefined) return refuse('invalid_request', 'Send a form-encoded body (application/x-www-form-urlencoded) under 16 KiB.');
    const client = authenticateClient(req, form, this.#context.clients);
    if ('error' in client) return client;
    const grantType = form.get('grant_type');
    if (grantType === null) return refuse('invalid_request', 'grant_type is required.');
    if (!['client_credentials', 'authorization_code', 'refresh_token'].includes(grantType)) {
      return refuse('unsupported_grant_type', `Unsupported grant_type: ${grantType.slice(0, 64)}`);
    }
    // RFC 6749 §5.2: the client is not registered for this grant type.
    if (!client.grantTypes.includes(grantType)) return refuse('unauthorized_client', `The client is not allowed to use the ${grantType} grant.`);
    const binding = await this.#context.dpop.bind(req);
    if ('error' in binding) return binding;
    const { jkt } = binding;
    if (grantType === 'client_credentials') return this.#clientCredentials(client, form, jkt);
    if (grantType === 'authorization_code') return this.#authorizationCode(client, form, jkt);
    return this.#refresh(client, form, jkt);
  }

  async #clientCredentials(client: DevClient, form: URLSearchParams, jkt: string | undefined): Promise<TokenResponse | OAuthRefusal> {
    // RFC 6749 §3.3: absent scope means the default (every project scope); Okta refuses OIDC scopes here.
    const requested = splitScope(form.get('scope'));
    const unknown = requested.filter((s) => !DEV_SCOPES.includes(s));
    if (unknown.length > 0) return refuse('invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
    const scopes = requested.length > 0 ? requested : DEV_SCOPES;
    const accessToken = await this.#context.mint({ scopes, expiresIn: ACCESS_TOKEN_SECONDS, now: this.#context.now(), claims: { cid: client.clientId, sub: client.clientId, ...confirmation(jkt) } });
    return { token_type: tokenType(jkt), expires_in: ACCESS_TOKEN_SECONDS, access_token: accessToken, scope: scopes.join(' ') };
  }

  async #authorizationCode(client: DevClient, form: URLSearchParams, jkt: string | undefined): Promise<TokenResponse | OAuthRefusal> {
    const code = form.get('code') ?? '';
    const verifier = form.get('code_verifier') ?? '';
    if (code === '') return refuse('invalid_request', 'code is required.');
    if (!VERIFIER.test(verifier)) return refuse('invalid_request', 'code_verifier is required: 43 to 128 unreserved characters (RFC 7636 §4.1).');
    const held = this.#codes.get(code);
    // RFC 6749 §4.1.2: a code is used once; any attempt consumes it.
    this.#codes.delete(code);
    const invalid = refuse('invalid_grant', 'The authorization code is invalid or has expired.');
    if (held === undefined || held.expiresAt <= seconds(this.#context.now())) return invalid;
    const { approval } = held;
    // RFC 6749 §4.1.3: the code was issued to this client, for this redirect_uri.
    if (approval.client !== client || form.get('redirect_uri') !== approval.redirectUri) return invalid;
    if (s256(verifier) !== approval.codeChallenge) return refuse('invalid_grant', 'PKCE verification failed.');
    return this.#issue(approval, jkt);
  }

  async #refresh(client: DevClient, form: URLSearchParams, jkt: string | undefined): Promise<TokenResponse | OAuthRefusal> {
    const token = form.get('refresh_token') ?? '';
    const held = this.#refreshTokens.get(token);
    const invalid = refuse('invalid_grant', 'The refresh token is invalid or expired.');
    if (held === undefined || held.expiresAt <= seconds(this.#context.now()) || held.grant.client !== client) return invalid;
    // RFC 9449 §5: a public client's refresh token is bound to its DPoP key; only that key refreshes it.
    if (held.jkt !== undefined && held.jkt !== jkt) return refuse('invalid_dpop_proof', 'The refresh token is bound to another DPoP key.');
    const asked = splitScope(form.get('scope'));
    // RFC 6749 §6: a refresh may narrow the scope, never widen it.
    if (asked.some((s) => !held.grant.scopes.includes(s))) return refuse('invalid_scope', 'A refresh cannot add scopes.');
    // RFC 9700 §4.14.2: rotation; the presented refresh token is dead from now on.
    this.#refreshTokens.delete(token);
    // RFC 6749 §6: the new refresh token keeps the original scope; the access token may have less.
    return this.#issue({ ...held.grant, nonce: undefined }, jkt, asked.length > 0 ? asked : held.grant.scopes);
  }

  /** A user's tokens: access token, refresh token with offline_access, ID token with openid. */
  async #issue(grant: Grant, jkt: string | undefined, scopes: readonly string[] = grant.scopes): Promise<TokenResponse> {
    const now = this.#context.now();
    const { client, user } = grant;
    // okta.md: user tokens carry uid, sub = the login, cid = the client; scp lists every granted scope.
    const accessToken = await this.#context.mint({ scopes, expiresIn: ACCESS_TOKEN_SECONDS, now, claims: { cid: client.clientId, uid: user.uid, sub: user.login, ...confirmation(jkt) } });
    const answer: TokenResponse = { token_type: tokenType(jkt), expires_in: ACCESS_TOKEN_SECONDS, access_token: accessToken, scope: scopes.join(' ') };
    if (grant.scopes.includes('offline_access')) {
      const refreshToken = opaque();
      // RFC 9449 §5: bound for public clients only; a confidential client authenticates instead.
      this.#refreshTokens.set(refreshToken, { grant, expiresAt: seconds(now) + REFRESH_TOKEN_SECONDS, jkt: client.clientSecret === undefined ? jkt : undefined });
      answer['refresh_token'] = refreshToken;
    }
    if (scopes.includes('openid')) answer['id_token'] = await this.#idToken({ ...grant, scopes }, now);
    return answer;
  }

  /** OpenID Connect Core §2 ID token, with Okta's claims: sub is the user id, aud the client. */
  #idToken(grant: Grant, now: Date): Promise<string> {
    const { client, user, scopes, nonce } = grant;
    const claims: Record<string, unknown> = {
      sub: user.uid,
      aud: client.clientId,
      jti: `ID.${randomUUID()}`,
      amr: ['pwd'],
      idp: '00odevissuer0000000',
      auth_time: seconds(now),
      cid: undefined,
      scp: undefined,
      nonce,
    };
    if (scopes.includes('profile')) Object.assign(claims, { name: user.name, preferred_username: user.login });
    if (scopes.includes('email')) Object.assign(claims, { email: user.login, email_verified: true });
    return this.#context.mint({ expiresIn: ACCESS_TOKEN_SECONDS, now, claims });
  }
}
