/**
 * Why fetching the issuer's keys failed, in words an operator can act on — DNS failure, connection
 * refused, timeout, TLS error, HTTP status — instead of fetch's bare "fetch failed". It walks the
 * error and its `cause` chain (undici puts the system or TLS error there) for a known code. The
 * result goes to the log only, never to a client.
 */

/** Thrown by the verifier's fetch when the issuer answers with a status other than 200. */
export class IssuerHttpStatus extends Error {
  readonly status: number;
  constructor(status: number, url: string) {
    super(`the issuer answered HTTP ${status} for ${url}`);
    this.name = 'IssuerHttpStatus';
    this.status = status;
  }
}

const SYSTEM_REASONS: ReadonlyMap<string, string> = new Map([
  ['ENOTFOUND', 'DNS lookup failed: no such host'],
  ['EAI_AGAIN', 'DNS lookup failed for now (no answer from the resolver)'],
  ['ECONNREFUSED', 'connection refused: nothing listens at that address and port'],
  ['ECONNRESET', 'connection reset by the issuer or a proxy'],
  ['ETIMEDOUT', 'connection timed out'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['ENETUNREACH', 'network unreachable'],
  ['UND_ERR_CONNECT_TIMEOUT', 'connection timed out'],
  ['UND_ERR_HEADERS_TIMEOUT', 'timed out waiting for the issuer to answer'],
  ['UND_ERR_SOCKET', 'the connection closed before the answer was complete'],
]);

/** OpenSSL's certificate codes and Node's own TLS codes. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|HOSTNAME_MISMATCH)/;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The failure in words, with its code in brackets when there is one. */
export function describeFetchFailure(error: unknown): string {
  const chain: unknown[] = [];
  // A cause chain is short; the bound only guards against a cycle.
  for (let current = error; current !== undefined && current !== null && chain.length < 8; current = (current as { cause?: unknown }).cause) chain.push(current);
  for (const link of chain) {
    if (link instanceof IssuerHttpStatus) return link.message;
    if (link instanceof Error && link.name === 'JWKSTimeout') return 'timed out waiting for the issuer\'s keys';
    const code = codeOf(link);
    if (code === undefined) continue;
    const reason = SYSTEM_REASONS.get(code);
    if (reason !== undefined) return `${reason} (${code})`;
    if (TLS_CODE.test(code)) return `TLS error: ${link instanceof Error ? link.message : code} (${code})`;
  }
  const first = chain[0];
  return first instanceof Error ? `${first.name}: ${first.message}` : String(first);
}
