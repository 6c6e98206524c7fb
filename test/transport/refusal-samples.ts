/**
 * One sample refusal of every kind, with the facts a stage would give it, for the tests of
 * src/transport/refusal.ts (the mapping) and src/transport/reply.ts (the writer). The record
 * type makes a new kind without a sample a type error.
 */
import type { Refusal, RefusalKind } from '../../src/transport/refusal.ts';

export const CHALLENGE = 'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"';

export const SAMPLES: { readonly [K in RefusalKind]: Extract<Refusal, { refusal: K }> } = {
  originForbidden: { refusal: 'originForbidden' },
  hostForbidden: { refusal: 'hostForbidden' },
  methodNotAllowed: { refusal: 'methodNotAllowed', allow: 'GET, POST, DELETE, OPTIONS' },
  notFound: { refusal: 'notFound' },
  tooManyHeaders: { refusal: 'tooManyHeaders' },
  headersTooLarge: { refusal: 'headersTooLarge' },
  badHost: { refusal: 'badHost' },
  badTarget: { refusal: 'badTarget' },
  unsupportedTransferCoding: { refusal: 'unsupportedTransferCoding' },
  unframedBody: { refusal: 'unframedBody' },
  malformedRequest: { refusal: 'malformedRequest' },
  requestTimeout: { refusal: 'requestTimeout' },
  duplicateHeader: { refusal: 'duplicateHeader' },
  missingToken: { refusal: 'missingToken', challenge: CHALLENGE, detail: 'no Authorization header' },
  invalidToken: { refusal: 'invalidToken', challenge: `Bearer error="invalid_token", error_description="expired"`, detail: 'token expired at 2025-01-01T00:00:00Z' },
  malformedAuthorization: { refusal: 'malformedAuthorization', challenge: `Bearer error="invalid_request", error_description="two tokens"`, detail: 'token in header and query' },
  insufficientScope: { refusal: 'insufficientScope', challenge: `Bearer error="insufficient_scope", scope="incidents:read incidents:write"`, missing: ['incidents:write'] },
  issuerUnavailable: { refusal: 'issuerUnavailable', detail: 'JWKS fetch failed: ECONNREFUSED' },
  notAcceptable: { refusal: 'notAcceptable' },
  notAcceptableStream: { refusal: 'notAcceptableStream' },
  unsupportedMediaType: { refusal: 'unsupportedMediaType' },
  bodyTooLarge: { refusal: 'bodyTooLarge', detail: 'body too-large' },
  bodyTruncated: { refusal: 'bodyTruncated', detail: 'body truncated' },
  bodyNotUtf8: { refusal: 'bodyNotUtf8', detail: 'body invalid-utf8' },
  invalidMessage: { refusal: 'invalidMessage', error: { code: -32700, message: 'Parse error' } },
  missingSession: { refusal: 'missingSession' },
  unknownSession: { refusal: 'unknownSession' },
  sessionOnInitialize: { refusal: 'sessionOnInitialize', id: 1 },
  tooManySessions: { refusal: 'tooManySessions', id: 1 },
  tooManySessionsForPrincipal: { refusal: 'tooManySessionsForPrincipal', id: 1 },
  initializeRateLimited: { refusal: 'initializeRateLimited', retryAfter: 7, id: 1 },
  unsupportedVersion: { refusal: 'unsupportedVersion' },
  versionMismatch: { refusal: 'versionMismatch' },
  responseNotAccepted: { refusal: 'responseNotAccepted' },
  badLastEventId: { refusal: 'badLastEventId' },
  streamConflict: { refusal: 'streamConflict' },
  rateLimited: { refusal: 'rateLimited', retryAfter: 20, id: 'call-1' },
  internal: { refusal: 'internal' },
  storeUnavailable: { refusal: 'storeUnavailable', retryAfter: 5, id: 'create-1' },
  shuttingDown: { refusal: 'shuttingDown' },
  invalidRequestMeta: { refusal: 'invalidRequestMeta', field: 'params._meta["io.modelcontextprotocol/clientCapabilities"]', problem: 'is required', id: 3 },
  headerMismatch: { refusal: 'headerMismatch', header: 'Mcp-Method', problem: 'does not match the method', id: 'a' },
  unsupportedProtocolVersion: { refusal: 'unsupportedProtocolVersion', supported: ['2026-07-28'], requested: 'v999.0.0', id: 4 },
  modernMethodNotFound: { refusal: 'modernMethodNotFound', id: 5 },
  missingClientCapability: { refusal: 'missingClientCapability', requiredCapabilities: { sampling: {} }, id: 6 },
};

export const KINDS = Object.keys(SAMPLES) as RefusalKind[];
