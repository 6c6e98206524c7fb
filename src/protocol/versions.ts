/**
 * Protocol version negotiation (MCP 2025-11-25 basic/lifecycle.mdx "Version Negotiation") and
 * the per-version differences this server honours. Versions are compared as known values from a
 * list, never as strings ordered by `<`.
 */

/** Newest first. 2025-11-25 is current; the two before it are accepted (see docs/protocol-versions.md). */
export const SUPPORTED_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;

export type ProtocolVersion = (typeof SUPPORTED_VERSIONS)[number];

export const LATEST_VERSION: ProtocolVersion = SUPPORTED_VERSIONS[0];

/**
 * The two shapes of the protocol (MCP 2026-07-28 basic/versioning.mdx, dual-era servers):
 * `legacy` is initialize and sessions (2025-11-25, 2025-06-18, 2025-03-26); `modern` is
 * 2026-07-28, stateless, its version in each request's `_meta`.
 */
export type Era = 'legacy' | 'modern';

/**
 * The versions a modern request may name in `_meta`. Only these are listed in server/discover's
 * `supportedVersions` and in -32022's `data.supported` (one list for both, checklist M-E30; legacy
 * versions are reached through initialize, not named in `_meta`: docs/decisions.md, M-V13).
 */
export const MODERN_VERSIONS = ['2026-07-28'] as const;

export type ModernVersion = (typeof MODERN_VERSIONS)[number];

/** Exact match against the list: no ordering of version strings (checklist M-V14). */
export function isModernVersion(value: string): value is ModernVersion {
  return (MODERN_VERSIONS as readonly string[]).includes(value);
}

export function isSupportedVersion(value: string): value is ProtocolVersion {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(value);
}

/**
 * basic/lifecycle.mdx: if the server supports the requested version it MUST answer with the same;
 * otherwise it MUST answer with another version it supports, which SHOULD be its latest.
 */
export function negotiateVersion(requested: string): ProtocolVersion {
  return isSupportedVersion(requested) ? requested : LATEST_VERSION;
}

/**
 * basic/transports.mdx (2025-11-25, SEP-1699): the priming event (an id with empty data) is new;
 * older clients mis-parse empty data, so it goes only to sessions that negotiated 2025-11-25.
 */
export function sendsPrimingEvents(version: ProtocolVersion): boolean {
  return version === '2025-11-25';
}

/**
 * basic/transports.mdx (2025-11-25, SEP-1699): the server MAY close an SSE connection before the
 * response, after a `retry` hint, and let the client poll. Earlier versions said it SHOULD NOT.
 */
export function allowsServerDisconnect(version: ProtocolVersion): boolean {
  return version === '2025-11-25';
}
