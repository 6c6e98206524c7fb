/**
 * The development issuer's endpoints about issued tokens: introspection `{issuer}/v1/introspect`
 * (RFC 7662 §2), revocation `{issuer}/v1/revoke` (RFC 7009 §2), userinfo `{issuer}/v1/userinfo`
 * (OpenID Connect Core §5.3) and logout `{issuer}/v1/logout` (RP-Initiated Logout 1.0 §2), each
 * minimal. Access tokens are checked against the issuer's own keys; revoking one only makes
 * introspection and userinfo refuse it (resource servers verify locally, as with Okta).
 * Development and tests only, loopback only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { DEV_USERS, authenticateClient, redirectAllowed } from './dev-clients.ts';
import type { DevClient } from './dev-clients.ts';
import { bearerToken, readForm, refuse } from './dev-http.ts';
import type { OAuthRefusal } from './dev-http.ts';
import type { JsonWebKeySet } from './dev-keys.ts';
import type { DevGrants } from './dev-oauth.ts';

/** What these endpoints need from the issuer. */
export interface TokenEndpointsContext {
  readonly issuer: string;
  readonly audience: string;
  readonly now: () => Date;
  readonly clients: ReadonlyMap<string, DevClient>;
  readonly grants: DevGrants;
  readonly jwks: () => JsonWebKeySet;
}

/** Introspection, revocation, userinfo and logout of one issuer. */
export class DevTokenEndpoints {
  readonly #context: TokenEndpointsContext;
  /** `jti`s of revoked access tokens (bounded by their lifetime in practice: development only). */
  readonly #revoked = new Set<string>();

  constructor(context: TokenEndpointsContext) {
    this.#context = context;
  }

  /** The verified claims of one of this issuer's live, unrevoked access tokens. */
  async #accessToken(token: string): Promise<JWTPayload | undefined> {
    const { issuer, audience, now, jwks } = this.#context;
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks()), { issuer, audience, algorithms: ['RS256'], currentDate: now() });
      return typeof payload.jti === 'string' && this.#revoked.has(payload.jti) ? undefined : payload;
    } catch {
      return undefined;
    }
  }

  async #authenticated(req: IncomingMessage): Promise<{ client: DevClient; token: string } | OAuthRefusal> {
    const form = await readForm(req);
    if (form === undefined) return refuse('invalid_request', 'Send a form-encoded body (application/x-www-form-urlencoded) under 16 KiB.');
    const client = authenticateClient(req, form, this.#context.clients);
    if ('error' in client) return client;
    const token = form.get('token');
    if (token === null || token === '') return refuse('invalid_request', 'token is required.');
    return { client, token };
  }

  /** RFC 7662 §2.2: `{active: false}` for anything not live. */
  async introspect(req: IncomingMessage): Promise<Record<string, unknown> | OAuthRefusal> {
    const asked = await this.#authenticated(req);
    if ('error' in asked) return asked;
    const payload = await this.#accessToken(asked.token);
    if (payload !== undefined) {
      const scopes = Array.isArray(payload['scp']) ? (payload['scp'] as string[]) : [];
      const user = typeof payload['uid'] === 'string' ? { uid: payload['uid'], username: payload.sub } : {};
      // RFC 9449 §6.2: a DPoP-bound token introspects as token_type DPoP, with its cnf.
      const bound = payload['cnf'] === undefined ? { token_type: 'Bearer' } : { token_type: 'DPoP', cnf: payload['cnf'] };
      return { active: true, ...bound, scope: scopes.join(' '), client_id: payload['cid'], ...user, sub: payload.sub, aud: payload.aud, iss: payload.iss, iat: payload.iat, exp: payload.exp, jti: payload.jti };
    }
    const refresh = this.#context.grants.refreshGrant(asked.token);
    if (refresh === undefined) return { active: false };
    const { client, user, scopes } = refresh.grant;
    return { active: true, token_type: 'refresh_token', scope: scopes.join(' '), client_id: client.clientId, username: user.login, uid: user.uid, sub: user.login, iss: this.#context.issuer, exp: refresh.expiresAt };
  }

  /** RFC 7009 §2.2: 200 whether or not the token was known. */
  async revoke(req: IncomingMessage): Promise<Record<string, never> | OAuthRefusal> {
    const asked = await this.#authenticated(req);
    if ('error' in asked) return asked;
    if (this.#context.grants.revokeRefreshToken(asked.token, asked.client)) return {};
    const payload = await this.#accessToken(asked.token);
    // RFC 7009 §2.1: a client revokes only its own tokens.
    if (payload !== undefined && payload['cid'] === asked.client.clientId && typeof payload.jti === 'string') this.#revoked.add(payload.jti);
    return {};
  }

  /** OpenID Connect Core §5.3: the user's claims for an access token with the openid scope. */
  async userinfo(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
    const token = bearerToken(req.headers.authorization);
    const payload = token === undefined ? undefined : await this.#accessToken(token);
    const scopes = Array.isArray(payload?.['scp']) ? (payload['scp'] as string[]) : [];
    const user = DEV_USERS.find((u) => u.uid === payload?.['uid']);
    if (user === undefined || !scopes.includes('openid')) return undefined;
    const claims: Record<string, unknown> = { sub: user.uid };
    if (scopes.includes('profile')) Object.assign(claims, { name: user.name, preferred_username: user.login });
    if (scopes.includes('email')) Object.assign(claims, { email: user.login, email_verified: true });
    return claims;
  }

  /** RP-Initiated Logout 1.0 §2-3: no session is kept, so only the redirect back (if registered). */
  logout(req: IncomingMessage, res: ServerResponse): void {
    const query = new URL(req.url ?? '/', 'http://dev-issuer').searchParams;
    const target = query.get('post_logout_redirect_uri');
    const client = this.#context.clients.get(query.get('client_id') ?? '');
    if (target !== null && client !== undefined && redirectAllowed(client, target)) {
      const url = new URL(target);
      const state = query.get('state');
      if (state !== null) url.searchParams.set('state', state);
      res.writeHead(302, { location: url.href, 'cache-control': 'no-store' });
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end('Signed out of the development issuer.\n');
  }
}
