/**
 * Refusals as values (STYLE principle 5). A pipeline stage returns its result or a `Refusal`: a
 * kind plus the facts only that stage knows (seconds to wait, a challenge, the allowed methods,
 * the request id). `answerRefusal` is the one function that turns a refusal into its HTTP status,
 * headers (CORS, WWW-Authenticate, Retry-After, Allow, Connection), JSON-RPC error body and
 * access-log reason. It is pure: reply.ts writes the answer. One table serves both eras: where
 * the modern era (2026-07-28) answers differently (404 + -32601 for a method, -32602/-32020/-32022/
 * -32021 for its envelope and headers), it has kinds of its own, chosen by post-modern.ts. A
 * handler's error response that stands for a refusal (a store that cannot be reached; a capability
 * found missing while a modern request ran) keeps its body and takes its status and headers here.
 */
import { ErrorCode, type ErrorObject } from '../protocol/errors.ts';
import type { JsonObject } from '../protocol/definitions.ts';
import { errorResponse, type JsonRpcErrorResponse, type RequestId } from '../protocol/messages.ts';
import { UNAVAILABLE_MESSAGES } from '../protocol/wire-errors.ts';
import { corsHeaders } from './origin.ts';
import type { Headers } from './reply.ts';

export interface RefusalEntry {
  readonly status: number;
  readonly code: number;
  readonly message: string;
  /** RFC 9112 §9.6: the connection closes after this answer (the framing of what follows is unsure). */
  readonly close?: true;
  /** RFC 9110 §10.2.3: a fixed Retry-After (seconds); rate limits carry theirs as a fact instead. */
  readonly retryAfter?: number;
}

/** Every HTTP-level refusal, of both eras, with its source. */
export const REFUSALS = {
  // MCP 2025-11-25 basic/transports.mdx: an invalid Origin MUST get 403.
  originForbidden: { status: 403, code: ErrorCode.InvalidRequest, message: 'Forbidden: Origin not allowed' },
  // Defence in depth against DNS rebinding (checklist H4): a Host we do not serve.
  hostForbidden: { status: 403, code: ErrorCode.InvalidRequest, message: 'Forbidden: Host not allowed' },
  // RFC 9110 §15.5.6: with Allow (a fact: the methods of the resource).
  methodNotAllowed: { status: 405, code: ErrorCode.InvalidRequest, message: 'Method not allowed' },
  // RFC 9110 §15.5.5: no resource at this path (only /mcp and the metadata documents exist).
  notFound: { status: 404, code: ErrorCode.InvalidRequest, message: 'Not found' },
  // RFC 6585 §5.
  tooManyHeaders: { status: 431, code: ErrorCode.InvalidRequest, message: 'Request header fields too large: too many header fields', close: true },
  headersTooLarge: { status: 431, code: ErrorCode.InvalidRequest, message: 'Request header fields too large', close: true },
  // RFC 9112 §3.2: a Host that is missing, repeated or not `uri-host [":" port]` (userinfo included) is 400.
  badHost: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: the Host header is not a host', close: true },
  // RFC 9112 §3.2: origin-form, or absolute-form with an http(s) scheme and a plain authority.
  badTarget: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: malformed request target', close: true },
  // RFC 9112 §6.1: a transfer coding we do not implement is 501; §6.3: chunked not last is 400 and close.
  unsupportedTransferCoding: { status: 501, code: ErrorCode.InvalidRequest, message: 'Not implemented: the only transfer coding supported is chunked', close: true },
  unframedBody: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: chunked must be the final transfer coding', close: true },
  // RFC 9112 §2.2: a message the parser cannot read; RFC 9110 §15.5.9: the request did not arrive in time.
  malformedRequest: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: malformed HTTP message', close: true },
  requestTimeout: { status: 408, code: ErrorCode.InvalidRequest, message: 'Request timeout', close: true },
  // RFC 9110 §5.3: a field that must appear once, repeated, is ambiguous.
  duplicateHeader: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: a header that must appear once appears more than once' },
  // RFC 6750 §3.1 and MCP basic/authorization.mdx "Error Handling": each with its challenge (a fact).
  // RFC 9449 §7.1: DPoP's invalid_token and invalid_dpop_proof are invalidToken too; the challenge tells them apart.
  missingToken: { status: 401, code: ErrorCode.InvalidRequest, message: 'Unauthorized: an access token is required' },
  invalidToken: { status: 401, code: ErrorCode.InvalidRequest, message: 'Unauthorized: the access token or its proof is not valid' },
  malformedAuthorization: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: malformed authorization' },
  insufficientScope: { status: 403, code: ErrorCode.InvalidRequest, message: 'Forbidden: the token lacks a required scope' },
  // okta.md "Outage": the issuer's keys cannot be fetched; the server's problem, retried shortly.
  issuerUnavailable: { status: 503, code: ErrorCode.InternalError, message: 'The token issuer cannot be reached; try again shortly', retryAfter: 5 },
  // Checklist H8 (SDK practice): 406 / 415 for media types we cannot serve.
  notAcceptable: { status: 406, code: ErrorCode.InvalidRequest, message: 'Not acceptable: Accept must allow application/json or text/event-stream' },
  notAcceptableStream: { status: 406, code: ErrorCode.InvalidRequest, message: 'Not acceptable: Accept must allow text/event-stream' },
  unsupportedMediaType: { status: 415, code: ErrorCode.InvalidRequest, message: 'Unsupported media type: Content-Type must be application/json' },
  bodyTooLarge: { status: 413, code: ErrorCode.InvalidRequest, message: 'Payload too large', close: true },
  bodyTruncated: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: the body ended before Content-Length bytes' },
  // basic/index.mdx: messages MUST be UTF-8.
  bodyNotUtf8: { status: 400, code: ErrorCode.ParseError, message: 'Parse error: the body is not valid UTF-8' },
  // JSON-RPC 2.0 §5.1: a body that is no valid message; the classifier's error (a fact) replaces code and message.
  invalidMessage: { status: 400, code: ErrorCode.InvalidRequest, message: 'Invalid Request' },
  // basic/transports.mdx "Session Management": no session id is 400, an unknown or ended one 404.
  missingSession: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: MCP-Session-Id header is required' },
  unknownSession: { status: 404, code: ErrorCode.InvalidRequest, message: 'Session not found' },
  // basic/lifecycle.mdx: initialize starts a session, so it cannot carry one.
  sessionOnInitialize: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: initialize must not carry MCP-Session-Id' },
  // Checklist §10 (unspecified): a cap on live sessions; a minute frees idle ones.
  tooManySessions: { status: 503, code: ErrorCode.InvalidRequest, message: 'Too many sessions; close one or try again later', retryAfter: 60 },
  // RFC 6585 §4: this principal's own share (MAX_SESSIONS_PER_PRINCIPAL) is used up, not the server's.
  tooManySessionsForPrincipal: { status: 429, code: ErrorCode.InvalidRequest, message: 'Too many sessions for this client; end one with DELETE or try again later', retryAfter: 60 },
  // RFC 6585 §4: initialize is rate-limited per principal (issue #15), in its own bucket.
  initializeRateLimited: { status: 429, code: ErrorCode.InvalidRequest, message: 'Too many initialize requests; slow down' },
  // basic/transports.mdx: an invalid or unsupported MCP-Protocol-Version MUST get 400.
  unsupportedVersion: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: unsupported MCP-Protocol-Version' },
  // Checklist H36: a version other than the session's is 400 too.
  versionMismatch: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: MCP-Protocol-Version differs from the version negotiated for this session' },
  // basic/transports.mdx: a response the server cannot accept gets an HTTP error such as 400.
  responseNotAccepted: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: no request of ours awaits this response' },
  // Checklist H26 (unspecified): an id we cannot resume from, or only with a gap, is 400.
  badLastEventId: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: Last-Event-ID names no stream of this session, or events after it are no longer kept' },
  // Checklist §10 (unspecified): one standalone stream per session (H24: no broadcast).
  streamConflict: { status: 409, code: ErrorCode.InvalidRequest, message: 'Conflict: this session already has a standalone stream open' },
  // MCP server/tools.mdx "Security Considerations": rate-limit tool invocations.
  rateLimited: { status: 429, code: ErrorCode.InvalidRequest, message: 'Too many tool calls; slow down' },
  // STYLE principle 3: anything unexpected is -32603 with a fixed message; the cause is logged.
  internal: { status: 500, code: ErrorCode.InternalError, message: 'Internal error' },
  // RFC 9110 §15.6.4 (issue 13): a write the incident store cannot make while its database is unreachable; the handler's -32603 (wire-errors.ts), its wait as Retry-After (a fact).
  storeUnavailable: { status: 503, code: ErrorCode.InternalError, message: UNAVAILABLE_MESSAGES.store },
  // RFC 9110 §15.6.4: the server is closing; new requests are refused and their connection closes.
  shuttingDown: { status: 503, code: ErrorCode.InternalError, message: 'The server is shutting down', close: true, retryAfter: 1 },
  // MCP 2026-07-28 (the modern era; checklist §5.2). Each echoes the request id (checklist M-E29).
  // basic/index.mdx "Per-request protocol fields": a request missing a required _meta field is malformed: -32602 and HTTP 400.
  invalidRequestMeta: { status: 400, code: ErrorCode.InvalidParams, message: 'Invalid params: malformed request metadata' },
  // basic/transports/streamable-http.mdx "Server Validation": headers that disagree with the body, or are missing: 400 + -32020.
  headerMismatch: { status: 400, code: ErrorCode.HeaderMismatch, message: 'Header mismatch' },
  // basic/versioning.mdx: an unsupported version: -32022 with the supported list; streamable-http.mdx: HTTP 400.
  unsupportedProtocolVersion: { status: 400, code: ErrorCode.UnsupportedProtocolVersion, message: 'Unsupported protocol version' },
  // streamable-http.mdx: an unimplemented method gets 404 + -32601 (the body tells it from a legacy 404).
  modernMethodNotFound: { status: 404, code: ErrorCode.MethodNotFound, message: 'Method not found' },
  // basic/index.mdx: a client capability the request needs but did not declare: -32021, HTTP 400.
  missingClientCapability: { status: 400, code: ErrorCode.MissingRequiredClientCapability, message: 'Missing required client capability' },
} as const satisfies Record<string, RefusalEntry>;

export type RefusalKind = keyof typeof REFUSALS;

/** A `WWW-Authenticate` value built by auth/challenge.ts, and the fuller reason for the log. */
interface Challenged {
  readonly challenge: string;
  readonly detail: string;
}

/** The facts a kind must carry; kinds not named here carry none. */
interface RefusalFacts {
  methodNotAllowed: { readonly allow: string };
  missingToken: Challenged;
  invalidToken: Challenged;
  malformedAuthorization: Challenged;
  insufficientScope: { readonly challenge: string; readonly missing: readonly string[] };
  issuerUnavailable: { readonly detail: string };
  invalidMessage: { readonly error: ErrorObject };
  initializeRateLimited: { readonly retryAfter: number };
  rateLimited: { readonly retryAfter: number };
  invalidRequestMeta: { readonly field: string; readonly problem: string };
  headerMismatch: { readonly header: string; readonly problem: string };
  unsupportedProtocolVersion: { readonly supported: readonly string[]; readonly requested: string };
  missingClientCapability: { readonly requiredCapabilities: JsonObject };
  storeUnavailable: { readonly retryAfter: number };
}

/** What every refusal may carry: the request id when known (JSON-RPC 2.0 §5), a log-only detail. */
interface RefusalCommon {
  readonly id?: RequestId | undefined;
  readonly detail?: string;
}

/** A refused request, as a value: `refusal` names the kind, the rest are its facts. */
export type Refusal = {
  [K in RefusalKind]: { readonly refusal: K } & RefusalCommon & (K extends keyof RefusalFacts ? RefusalFacts[K] : unknown);
}[RefusalKind];

/** True when a stage's outcome is a refusal rather than its result. */
export function isRefusal(outcome: object): outcome is Refusal {
  return 'refusal' in outcome;
}

/** What the mapping needs beyond the refusal. */
export interface RefusalContext {
  /** The request's Origin when it is allowed: the answer carries its CORS headers. */
  readonly origin: string | undefined;
}

/** Context for answers that carry no CORS headers (refused before or outside the Origin check). */
export const NO_CORS: RefusalContext = { origin: undefined };

/** Everything about the answer to a refusal; reply.ts writes it. */
export interface RefusalAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: JsonRpcErrorResponse;
  /** The access-log reason: never a token, never sent. */
  readonly reason: string;
}

/** Headers that follow from the refusal's facts and its table entry. */
function refusalHeaders(refusal: Refusal, entry: RefusalEntry): Headers {
  const headers: Headers = {};
  // RFC 6750 §3: every 401/403/400 of the bearer scheme carries its challenge.
  if ('challenge' in refusal) headers['www-authenticate'] = refusal.challenge;
  // RFC 9110 §15.5.6: 405 lists the methods the resource supports.
  if ('allow' in refusal) headers.allow = refusal.allow;
  // RFC 9110 §10.2.3 (RFC 6585 §4 for 429): how long to wait before retrying.
  const retryAfter = 'retryAfter' in refusal ? refusal.retryAfter : entry.retryAfter;
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  // RFC 9112 §9.6: announce the close; reply.ts then drains and closes.
  if (entry.close === true) headers.connection = 'close';
  return headers;
}

/** The log reason: a stage's detail, else what the facts say, else the kind. */
function logReason(refusal: Refusal): string {
  if (refusal.detail !== undefined) return refusal.detail;
  if (refusal.refusal === 'insufficientScope') return `insufficient scope: needs ${refusal.missing.join(' ')}`;
  if (refusal.refusal === 'invalidMessage') return refusal.error.message;
  return refusal.refusal;
}

/** The JSON-RPC error of a refusal: the entry's, with what the facts add for the kinds that carry data. */
function errorOf(refusal: Refusal, entry: RefusalEntry): ErrorObject {
  const base = { code: entry.code, message: entry.message };
  switch (refusal.refusal) {
    case 'invalidMessage':
      return refusal.error;
    case 'invalidRequestMeta':
      return { ...base, message: `${entry.message}: ${refusal.field} ${refusal.problem}`, data: { field: refusal.field } };
    case 'headerMismatch':
      return { ...base, message: `${entry.message}: ${refusal.header} ${refusal.problem}`, data: { header: refusal.header } };
    case 'unsupportedProtocolVersion':
      // schema.ts UnsupportedProtocolVersionError: data.supported and data.requested are required.
      return { ...base, data: { supported: refusal.supported, requested: refusal.requested } };
    case 'missingClientCapability':
      // schema.ts MissingRequiredClientCapabilityError: data.requiredCapabilities is a ClientCapabilities object.
      return { ...base, data: { requiredCapabilities: refusal.requiredCapabilities } };
    case 'storeUnavailable':
      // The wait in the body too, for clients that read no headers (wire-errors.ts sends the same).
      return { ...base, data: { retryAfter: refusal.retryAfter } };
    default:
      return base;
  }
}

/** The one mapping from a refusal to its whole answer (STYLE principle 5). */
export function answerRefusal(refusal: Refusal, context: RefusalContext): RefusalAnswer {
  const entry: RefusalEntry = REFUSALS[refusal.refusal];
  const error = errorOf(refusal, entry);
  return {
    status: entry.status,
    // An allowed browser origin gets CORS on refusals too, or it cannot read them.
    headers: { ...corsHeaders(context.origin), ...refusalHeaders(refusal, entry) },
    body: errorResponse(error, refusal.id),
    reason: logReason(refusal),
  };
}

/**
 * A refusal whose JSON-RPC body is a handler's own error response, sent while the answer is still
 * one JSON body (response-channel.ts recognises them): the table's status and headers, without
 * CORS (the channel's headers carry them) and without a body (the handler's is sent).
 */
export function inBandHead(refusal: Refusal): { readonly status: number; readonly headers: Headers } {
  const entry: RefusalEntry = REFUSALS[refusal.refusal];
  return { status: entry.status, headers: refusalHeaders(refusal, entry) };
}
