/**
 * The authentication and authorization stages of /mcp (MCP 2025-11-25 basic/authorization.mdx;
 * RFC 6750 §3; RFC 9449 §7): verify the access token (Bearer, or DPoP with its proof, for both
 * eras alike) before anything else is read, turn each failure into its refusal with its challenge
 * in the scheme the client used, and refuse a request whose method needs a scope the token lacks
 * with the 403 step-up challenge. Tokens and proofs are never logged; the log gets the reason and
 * the client id. refusal.ts decides the statuses and headers.
 */
import type { IncomingMessage } from 'node:http';
import { hasQueryToken, queryTokenFailure } from '../auth/bearer.ts';
import { insufficientScopeChallenge, invalidProofChallenge, invalidTokenChallenge, malformedRequestChallenge, missingTokenChallenge } from '../auth/challenge.ts';
import { resourceOf } from '../auth/metadata.ts';
import { AuthFailure, type ChallengeInfo, type Principal, type RequestFacts } from '../auth/principal.ts';
import type { RequestRecord, TransportContext } from './context.ts';
import type { Refusal } from './refusal.ts';

/** The public endpoint URL per challenge info, derived once (the `htu` a DPoP proof must name). */
const RESOURCES = new WeakMap<ChallengeInfo, string>();

function publicEndpoint(info: ChallengeInfo): string {
  let resource = RESOURCES.get(info);
  if (resource === undefined) {
    resource = resourceOf(info.resourceMetadataUrl);
    RESOURCES.set(info, resource);
  }
  return resource;
}

/** RFC 9449 §4.3: what the proof is checked against; the public URL, not the Host the request named. */
function requestFacts(req: IncomingMessage, ctx: TransportContext): RequestFacts {
  return { method: req.method ?? 'GET', url: publicEndpoint(ctx.challenge), proofs: req.headersDistinct['dpop'] };
}

/** Verifies the request's token: its principal, or the refusal with its challenge. */
export async function authenticate(req: IncomingMessage, url: URL, ctx: TransportContext, record: RequestRecord): Promise<Principal | Refusal> {
  try {
    // basic/authorization.mdx: access tokens MUST NOT be in the URI query string.
    if (hasQueryToken(url.searchParams)) throw queryTokenFailure(req.headers.authorization);
    const principal = await ctx.verifier.verify(req.headers.authorization, requestFacts(req, ctx));
    record.clientId = principal.clientId ?? principal.subject;
    return principal;
  } catch (error) {
    if (!(error instanceof AuthFailure)) throw error;
    if (error.clientId !== undefined) record.clientId = error.clientId;
    return authFailureRefusal(error, ctx);
  }
}

/** Each AuthFailure kind as its refusal, with the challenge that kind calls for. */
function authFailureRefusal(error: AuthFailure, ctx: TransportContext): Refusal {
  const info = ctx.challenge;
  const { detail } = error;
  const { dpop } = ctx.verifier;
  // RFC 9449 §7.1: a request that used the DPoP scheme is answered in it.
  const inScheme = error.scheme === 'DPoP' ? dpop : undefined;
  switch (error.kind) {
    case 'missing':
      // RFC 6750 §3.1: no credentials, or an unsupported method (another scheme, the query) → no error attribute.
      return { refusal: 'missingToken', challenge: missingTokenChallenge(info, dpop), detail };
    case 'malformed':
      return { refusal: 'malformedAuthorization', challenge: malformedRequestChallenge(info, error.description, inScheme), detail };
    case 'invalid':
      return { refusal: 'invalidToken', challenge: invalidTokenChallenge(info, error.description, inScheme), detail };
    case 'proof':
      // RFC 9449 §7.1: 401 with error="invalid_dpop_proof"; the same status and body as invalid_token.
      return { refusal: 'invalidToken', challenge: invalidProofChallenge(info, error.description, dpop ?? { algorithms: [], required: false }), detail };
    case 'unavailable':
      // okta.md: an outage is the server's problem, never a bad token; the token is not accepted.
      ctx.logger.error('token issuer unavailable', { detail });
      return { refusal: 'issuerUnavailable', detail };
  }
}

/**
 * basic/authorization.mdx "Runtime Insufficient Scope Errors": 403 with the scopes this request
 * needs (`required`, from its method's descriptor) plus those already granted that still apply.
 * Undefined when the token has every scope.
 */
export function authorize(required: readonly string[], method: string, principal: Principal, ctx: TransportContext, record: RequestRecord): Refusal | undefined {
  const missing = required.filter((scope) => !principal.scopes.has(scope));
  if (missing.length === 0) return undefined;
  const granted = ctx.knownScopes.filter((scope) => principal.scopes.has(scope));
  const scopes = [...new Set([...granted, ...required])];
  ctx.logger.info('scope step-up required', { clientId: record.clientId, rpcMethod: method, missing });
  // RFC 9449 §7.1: a DPoP-bound token's step-up challenge is in the DPoP scheme.
  const dpop = principal.jkt === undefined ? undefined : ctx.verifier.dpop;
  return { refusal: 'insufficientScope', challenge: insufficientScopeChallenge(ctx.challenge, scopes, `This request needs ${missing.join(' ')}`, dpop), missing };
}

/**
 * The key a session is bound to: issuer, subject and client of the validated token. A JSON array
 * in a fixed order is injective: no separator can be forged inside a claim, and an absent `cid`
 * (null) differs from an empty one ("").
 */
export function principalKey(principal: Principal): string {
  return JSON.stringify([principal.issuer, principal.subject, principal.clientId ?? null]);
}
