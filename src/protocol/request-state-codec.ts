/**
 * The sealed `requestState` of multi round-trip requests (MCP 2026-07-28 basic/patterns/mrtr.mdx;
 * checklist M-R7, M-R8): the state travels through the client, so it is attacker-controlled input.
 * A token is HMAC-SHA-256 over a version, an expiry, a keyed digest binding the principal, the
 * method and the target (tool or prompt name, resource URI), and the feature's JSON state; `open`
 * verifies all of them and answers a refusal value, never a throw. Without a configured key each
 * process draws its own at start-up: a state sealed by one instance is refused (as tampered) by
 * another, and by the same one after a restart, unless they share a key. The wire error is not
 * decided here: M-R7 wants a JSON-RPC error (SDK v2: -32602 "Invalid or expired requestState").
 * Not replay-proof: where a state must be used at most once (M-R8), the caller enforces it.
 * (Not to be confused with request-state.ts, what one request knows of its peer.)
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeUtf8 } from '../utf8.ts';
import type { JsonValue } from './definitions.ts';

/** Bytes of JSON state `seal` accepts; more is a programming error (TypeError). */
export const MAX_STATE_BYTES = 4096;
/** Characters of token `open` reads; longer input is refused as tampered before any decoding. */
export const MAX_TOKEN_LENGTH = 8192;
/** How long a sealed state opens by default: ten minutes, a short expiry (M-R8). */
export const DEFAULT_TTL_MS = 10 * 60 * 1000;
/** The key length HMAC-SHA-256 is given (RFC 2104 §3: at least the output length, 32 bytes). */
export const KEY_BYTES = 32;

// Token bytes: VERSION(1) ‖ expiry ms, unsigned big-endian(6) ‖ binding(16) ‖ state JSON ‖ MAC(32),
// the MAC over everything before it; the whole is base64url (RFC 4648 §5) without padding.
const VERSION = 0x01;
const EXPIRY_BYTES = 6;
const BINDING_BYTES = 16;
const MAC_BYTES = 32;
const HEADER_BYTES = 1 + EXPIRY_BYTES + BINDING_BYTES;
const MAX_EXPIRY = 2 ** (8 * EXPIRY_BYTES) - 1;
// Domain separation between the two uses of the key.
const MAC_LABEL = 'mcp-request-state/v1/mac\0';
const BINDING_LABEL = 'mcp-request-state/v1/binding\0';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export type { JsonValue };

/** What a state is bound to: who asked, for which method, on which target. */
export interface RequestStateBinding {
  /** A stable key for the authenticated caller, e.g. the JSON of [iss, sub, cid]. */
  readonly principal: string;
  readonly method: string;
  /** Tool or prompt name, or resource URI. */
  readonly target: string;
}

export interface SealInput extends RequestStateBinding {
  readonly state: JsonValue;
  /** The time of sealing in ms since the epoch; the codec's clock when absent. */
  readonly now?: number;
}

/** Why a token did not open: any bad byte, expired, or sealed for another principal/method/target. */
export type RequestStateRefusal = 'tampered' | 'expired' | 'foreign';

export type OpenedRequestState = { readonly ok: true; readonly state: JsonValue } | { readonly ok: false; readonly refusal: RequestStateRefusal };

export interface RequestStateCodecOptions {
  /** 32 bytes; a fresh random key per process when absent. */
  readonly key?: Uint8Array | undefined;
  /** Clock in ms since the epoch (jose's currentDate, injected in tests). */
  readonly now?: () => number;
  readonly ttlMs?: number;
}

export interface RequestStateCodec {
  /** The opaque token for `input.state`. @throws TypeError for state that is not JSON or over MAX_STATE_BYTES. */
  seal(input: SealInput): string;
  /** The state sealed in `token` for exactly `binding`, or why not. Never throws; linear in the input. */
  open(token: string, binding: RequestStateBinding): OpenedRequestState;
}

/** A codec under one key. @throws TypeError for a key that is not 32 bytes or a bad ttlMs (start-up misuse). */
export function createRequestStateCodec(options: RequestStateCodecOptions = {}): RequestStateCodec {
  const key = Buffer.from(options.key ?? randomBytes(KEY_BYTES));
  if (key.length !== KEY_BYTES) throw new TypeError(`The requestState key must be ${KEY_BYTES} bytes`);
  const clock = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new TypeError('The requestState ttlMs must be a positive integer');

  const mac = (bytes: Uint8Array): Buffer => createHmac('sha256', key).update(MAC_LABEL).update(bytes).digest();
  // M-R8: the target enters as a digest; the whole binding is keyed, so a token reveals none of it.
  const bind = ({ principal, method, target }: RequestStateBinding): Buffer => {
    const targetDigest = createHash('sha256').update(target).digest('hex');
    const text = JSON.stringify([principal, method, targetDigest]);
    return createHmac('sha256', key).update(BINDING_LABEL).update(text).digest().subarray(0, BINDING_BYTES);
  };

  return {
    seal(input) {
      const json = JSON.stringify(input.state) as string | undefined;
      if (json === undefined) throw new TypeError('A requestState must be a JSON value');
      const state = Buffer.from(json, 'utf8');
      if (state.length > MAX_STATE_BYTES) throw new TypeError(`A requestState is over ${MAX_STATE_BYTES} bytes of JSON`);
      const expiry = (input.now ?? clock()) + ttlMs;
      if (!Number.isSafeInteger(expiry) || expiry < 0 || expiry > MAX_EXPIRY) throw new TypeError('The requestState clock is out of range');
      const body = Buffer.alloc(HEADER_BYTES + state.length);
      body[0] = VERSION;
      body.writeUIntBE(expiry, 1, EXPIRY_BYTES);
      bind(input).copy(body, 1 + EXPIRY_BYTES);
      state.copy(body, HEADER_BYTES);
      return Buffer.concat([body, mac(body)]).toString('base64url');
    },

    open(token, binding) {
      if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) return refused('tampered');
      const bytes = Buffer.from(token, 'base64url');
      // One spelling per token: stray low bits in the last character would otherwise also open.
      if (bytes.length < HEADER_BYTES + MAC_BYTES || bytes.toString('base64url') !== token) return refused('tampered');
      const body = bytes.subarray(0, bytes.length - MAC_BYTES);
      if (body[0] !== VERSION) return refused('tampered');
      if (!timingSafeEqual(mac(body), bytes.subarray(body.length))) return refused('tampered');
      if (!timingSafeEqual(bind(binding), body.subarray(1 + EXPIRY_BYTES, HEADER_BYTES))) return refused('foreign');
      if (clock() >= body.readUIntBE(1, EXPIRY_BYTES)) return refused('expired');
      try {
        return { ok: true, state: JSON.parse(decodeUtf8(body.subarray(HEADER_BYTES))) as JsonValue };
      } catch {
        return refused('tampered'); // only reachable with the key: seal writes valid UTF-8 JSON
      }
    },
  };
}

function refused(refusal: RequestStateRefusal): OpenedRequestState {
  return { ok: false, refusal };
}
