/**
 * Request body reading: collects a POST body under a byte limit and decodes it strictly as
 * UTF-8 (MCP 2025-11-25 basic/index: "JSON-RPC messages MUST be UTF-8 encoded"). It owns the
 * limit, truncation and encoding checks; it does not parse JSON, choose HTTP statuses or close
 * connections. A rejected read leaves the request paused: the caller answers (413, 400) with
 * `Connection: close`. Slow senders are bounded by the server's `requestTimeout`, not here.
 */
import type { IncomingMessage } from 'node:http';
import { decodeUtf8 } from '../utf8.ts';

/** Why a body was refused: over the limit, cut short, or not UTF-8. */
export type BodyErrorKind = 'too-large' | 'truncated' | 'invalid-utf8';

/** A body that could not be read; `kind` is stable, the message is fixed per kind. */
export class BodyError extends Error {
  readonly kind: BodyErrorKind;

  constructor(kind: BodyErrorKind, options?: ErrorOptions) {
    super(MESSAGES[kind], options);
    this.name = 'BodyError';
    this.kind = kind;
  }
}

const MESSAGES = {
  'too-large': 'Request body exceeds the size limit',
  truncated: 'Request body ended before it was complete',
  'invalid-utf8': 'Request body is not valid UTF-8',
} as const satisfies Record<BodyErrorKind, string>;

// Content-Length = 1*DIGIT (RFC 9110 §8.6)
const DIGITS = /^[0-9]+$/;

/**
 * Decodes received chunks, `total` bytes in all, as strict UTF-8. A multi-byte character may
 * be split across chunks.
 * @throws BodyError 'invalid-utf8' on an ill-formed sequence (overlong, surrogate, truncated).
 * @throws TypeError if `total` is not the chunks' combined length.
 */
export function decodeChunks(chunks: Buffer[], total: number): string {
  let sum = 0;
  for (const chunk of chunks) sum += chunk.length;
  if (sum !== total) throw new TypeError('total does not match the chunks');
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  try {
    // RFC 8259 §8.1 and MCP basic/index.mdx: strict UTF-8, BOM stripped (utf8.ts).
    return decodeUtf8(bytes);
  } catch (cause) {
    throw new BodyError('invalid-utf8', { cause });
  }
}

/** The declared body length, or undefined when the body is chunked or unannounced. */
function declaredLength(request: IncomingMessage): number | undefined {
  // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length. Node's parser already rejects
  // malformed or conflicting Content-Length values before the request reaches us.
  if (request.headers['transfer-encoding'] !== undefined) return undefined;
  const value = request.headers['content-length'];
  return value !== undefined && DIGITS.test(value) ? Number(value) : undefined;
}

/**
 * Reads the whole body of `request` as a string, refusing more than `options.limit` bytes.
 * Settles exactly once, on 'end', 'error', 'aborted' or 'close', so it never hangs on a
 * vanished client.
 * @throws BodyError 'too-large' when Content-Length exceeds the limit (nothing is read) or the
 * bytes received do; 'truncated' when the stream ends early or short of Content-Length;
 * 'invalid-utf8' as decodeChunks.
 * `options.invite` runs once the declared length is accepted, just before reading: the place
 * for `100 Continue` (RFC 9110 §10.1.1), never sent for a body that will be refused.
 * @throws TypeError if `limit` is not a non-negative safe integer.
 */
export function readBody(request: IncomingMessage, options: { limit: number; invite?: (() => void) | undefined }): Promise<string> {
  const { limit } = options;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError('limit must be a non-negative integer');
  const declared = declaredLength(request);
  // Refuse before reading: the caller answers 413 and closes, so the body is never consumed.
  if (declared !== undefined && declared > limit) return Promise.reject(new BodyError('too-large'));
  if (request.destroyed) return Promise.reject(new BodyError('truncated'));
  options.invite?.();

  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;

    const cleanup = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onTruncated);
      request.off('aborted', onTruncated);
      request.off('close', onTruncated);
    };
    const fail = (error: BodyError): void => {
      cleanup();
      reject(error);
    };
    function onData(chunk: Buffer): void {
      total += chunk.length;
      if (total > limit) {
        // Stop reading rather than destroy: the socket must stay writable for the 413.
        request.pause();
        return fail(new BodyError('too-large'));
      }
      chunks.push(chunk);
    }
    function onEnd(): void {
      // Node's parser ends a Content-Length body only when complete; checked anyway.
      if (declared !== undefined && total !== declared) return fail(new BodyError('truncated'));
      cleanup();
      try {
        resolve(decodeChunks(chunks, total));
      } catch (error) {
        reject(error);
      }
    }
    function onTruncated(): void {
      // 'error' (ECONNRESET), 'aborted' or 'close' before 'end': the client went away mid-body.
      fail(new BodyError('truncated'));
    }

    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onTruncated);
    request.once('aborted', onTruncated);
    request.once('close', onTruncated);
  });
}
