/**
 * The authentication and authorization stages of /mcp (MCP 2025-11-25 basic/authorization.mdx;
 * RFC 6750 §3): verify the bearer token before anything else is read, answer each failure with
 * its challenge, and refuse a request whose method needs a scope the token lacks with the
 * 403 step-up challenge. Tokens are never logged; the log gets the reason and the client id.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasQueryToken, queryTokenFailure } from '../auth/bearer.ts';
import { insufficientScopeChallenge, invalidTokenChallenge, malformedRequestChallenge, missingTokenChallenge } from '../auth/challenge.ts';
import { AuthFailure, type Principal } from '../auth/principal.ts';
import type { Params } from '../protocol/messages.ts';
import type { RequestRecord, TransportContext } from './context.ts';
import { reject, type Headers } from './reply.ts';

/** Seconds a client should wait when the issuer's keys cannot be fetched. */
const ISSUER_RETRY_AFTER = 5;

/** Verifies the request's token; on failure answers it and resolves to undefined. */
export async function authenticate(req: IncomingMessage, res: ServerResponse, url: URL, ctx: TransportContext, record: RequestRecord, cors: Headers): Promise<Principal | undefined> {
  const info = ctx.challenge;
  try {
    // basic/authorization.mdx: access tokens MUST NOT be in the URI query string.
    if (hasQueryToken(url.searchParams)) throw queryTokenFailure(req.headers.authorization);
    const principal = await ctx.verifier.verify(req.headers.authorization);
    record.clientId = principal.clientId ?? principal.subject;
    return principal;
  } catch (error) {
    if (!(error instanceof AuthFailure)) throw error;
    record.reason = error.detail;
    if (error.clientId !== undefined) record.clientId = error.clientId;
    switch (error.kind) {
      case 'missing':
        // RFC 6750 §3.1: no credentials, or an unsupported method (another scheme, the query) → no error attribute.
        reject(res, 'missingToken', { ...cors, 'www-authenticate': missingTokenChallenge(info) });
        break;
      case 'malformed':
        reject(res, 'malformedAuthorization', { ...cors, 'www-authenticate': malformedRequestChallenge(info, error.description) });
        break;
      case 'invalid':
        reject(res, 'invalidToken', { ...cors, 'www-authenticate': invalidTokenChallenge(info, error.description) });
        break;
      case 'unavailable':
        // okta.md: an outage is the server's problem, never a bad token; the token is not accepted.
        ctx.logger.error('token issuer unavailable', { detail: error.detail });
        reject(res, 'issuerUnavailable', { ...cors, 'retry-after': ISSUER_RETRY_AFTER });
        break;
    }
    return undefined;
  }
}

/**
 * basic/authorization.mdx "Runtime Insufficient Scope Errors": 403 with the scopes this request
 * needs plus those already granted that still apply. Returns false after answering.
 */
export function authorize(res: ServerResponse, method: string, params: Params | undefined, principal: Principal, ctx: TransportContext, record: RequestRecord, cors: Headers): boolean {
  const required = ctx.core.registry.requiredScopes(method, params);
  const missing = required.filter((scope) => !principal.scopes.has(scope));
  if (missing.length === 0) return true;
  const granted = ctx.knownScopes.filter((scope) => principal.scopes.has(scope));
  const scopes = [...new Set([...granted, ...required])];
  record.reason = `insufficient scope: needs ${missing.join(' ')}`;
  ctx.logger.info('scope step-up required', { clientId: record.clientId, rpcMethod: method, missing });
  reject(res, 'insufficientScope', { ...cors, 'www-authenticate': insufficientScopeChallenge(ctx.challenge, scopes, `This request needs ${missing.join(' ')}`) });
  return false;
}

/**
 * The key a session is bound to: issuer, subject and client of the validated token. A JSON array
 * in a fixed order is injective: no separator can be forged inside a claim, and an absent `cid`
 * (null) differs from an empty one ("").
 */
export function principalKey(principal: Principal): string {
  return JSON.stringify([principal.issuer, principal.subject, principal.clientId ?? null]);
}
