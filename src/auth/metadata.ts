/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728), which MCP 2025-11-25 basic/authorization.mdx
 * makes mandatory. Owns the document's shape and where it is served (the well-known paths and the
 * absolute URL named by `resource_metadata` in challenges). It does not serve HTTP: the transport
 * answers GET on the returned paths, without a token, with this document as JSON.
 */
import { DPOP_ALGORITHMS } from './dpop-proof.ts';
import type { DpopPolicy } from './principal.ts';

/** RFC 9728 §3: the registered well-known suffix. */
export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** RFC 9728 §2 metadata, with the members this server sends; zero-valued members are omitted. */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly scopes_supported: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly resource_name: string;
  readonly resource_documentation?: string;
  readonly dpop_signing_alg_values_supported?: readonly string[];
  readonly dpop_bound_access_tokens_required?: true;
}

export interface ProtectedResourceMetadataInput {
  /** The MCP endpoint URL exactly as clients use it (RFC 9728 §3.3: compared code point by code point). */
  readonly resource: string;
  /** The authorization server's issuer (MCP: at least one is required). */
  readonly issuer: string;
  /** The scopes clients may ask for (`scopes_supported`; see docs/decisions.md, A11). */
  readonly scopesSupported: readonly string[];
  readonly resourceName: string;
  readonly resourceDocumentation?: string | undefined;
  /**
   * How the verifier takes DPoP; `null` when it does not. Undefined: the OktaVerifier's policy
   * when DPoP is not required (its algorithms, Bearer accepted).
   */
  readonly dpop?: DpopPolicy | null | undefined;
}

const DEFAULT_DPOP: DpopPolicy = { algorithms: DPOP_ALGORITHMS, required: false };

/** Builds the RFC 9728 §2 document; serialise it once at start-up. */
export function protectedResourceMetadata(input: ProtectedResourceMetadataInput): ProtectedResourceMetadata {
  const document: ProtectedResourceMetadata = {
    resource: input.resource,
    // MCP basic/authorization.mdx: authorization_servers MUST list at least one issuer.
    authorization_servers: [input.issuer],
    scopes_supported: [...input.scopesSupported],
    // MCP basic/authorization.mdx: tokens travel only in the Authorization header.
    bearer_methods_supported: ['header'],
    resource_name: input.resourceName,
  };
  const dpop = input.dpop === undefined ? DEFAULT_DPOP : input.dpop;
  // RFC 9728 §3.2: parameters with zero values are omitted.
  return {
    ...document,
    ...(input.resourceDocumentation === undefined ? {} : { resource_documentation: input.resourceDocumentation }),
    // RFC 9728 §2: the proof algorithms accepted, and (only when true) that Bearer is not.
    ...(dpop === null ? {} : { dpop_signing_alg_values_supported: [...dpop.algorithms] }),
    ...(dpop?.required === true ? { dpop_bound_access_tokens_required: true as const } : {}),
  };
}

/**
 * The resource identifier back from the absolute `resource_metadata` URL (the inverse of
 * metadataPaths): the public endpoint URL a DPoP proof's `htu` must name (RFC 9449 §4.3 step 9).
 * @throws TypeError when `metadataUrl` is not a path-inserted well-known URL.
 */
export function resourceOf(metadataUrl: string): string {
  const url = new URL(metadataUrl);
  if (!url.pathname.startsWith(PROTECTED_RESOURCE_WELL_KNOWN)) throw new TypeError('not a protected resource metadata URL');
  const path = url.pathname.slice(PROTECTED_RESOURCE_WELL_KNOWN.length);
  return `${url.origin}${path === '' ? '/' : path}`;
}

/** Where the metadata for one resource lives. */
export interface MetadataPaths {
  /** RFC 9728 §3.1 path-inserted request path, e.g. `/.well-known/oauth-protected-resource/mcp`. */
  readonly pathInserted: string;
  /** The host-root path `/.well-known/oauth-protected-resource` (MCP discovery's last fallback). */
  readonly root: string;
  /** Absolute path-inserted URL: the `resource_metadata` value in every challenge. */
  readonly url: string;
}

/**
 * Derives the well-known locations from the resource identifier (the public MCP URL).
 * @throws TypeError when `publicUrl` is not an absolute URL or carries a query or fragment.
 */
export function metadataPaths(publicUrl: string): MetadataPaths {
  const url = new URL(publicUrl);
  if (url.search !== '' || url.hash !== '') {
    throw new TypeError(`the resource identifier ${url.origin}${url.pathname} must have no query or fragment`);
  }
  // RFC 9728 §3.1: remove a terminating "/" after the host, then insert the well-known suffix
  // between the host and the path.
  const path = url.pathname === '/' ? '' : url.pathname;
  const pathInserted = `${PROTECTED_RESOURCE_WELL_KNOWN}${path}`;
  return { pathInserted, root: PROTECTED_RESOURCE_WELL_KNOWN, url: `${url.origin}${pathInserted}` };
}
