/**
 * How a result is dressed for the modern era (MCP 2026-07-28): `resultType: "complete"` on every
 * result (basic/index.mdx "Result Responses"), the server's identity in each result's `_meta`
 * ("Per-response protocol fields", SHOULD), and `ttlMs` + `cacheScope` on the cacheable ones
 * (server/utilities/caching.mdx). Legacy results never pass through here, so none of these fields
 * reach a 2025 client. Constant results are dressed once and stay pre-encoded.
 */
import { META_KEYS } from './envelope.ts';
import { constantResult, isConstantResult, type Params } from './messages.ts';

/** caching.mdx "Cacheable Results": how long a result stays fresh and who may share it. */
export interface CacheHint {
  /** Non-negative integer milliseconds (schema.json types it integer); 0 is stale at once. */
  readonly ttlMs: number;
  /** `public`: the same for every caller; `private`: only within the same authorization. */
  readonly cacheScope: 'public' | 'private';
}

/**
 * Lists fixed at start-up (tools, prompts, resource templates, discover): the same for every
 * caller, and unchanged until the server restarts (docs/decisions.md "Cache hints").
 */
export const CONSTANT_CACHE: CacheHint = { ttlMs: 3_600_000, cacheScope: 'public' };

/** Incident data (resources/list, resources/read): changes with any write, and is the caller's to see. */
export const LIVE_PRIVATE_CACHE: CacheHint = { ttlMs: 0, cacheScope: 'private' };

/** schema.ts Implementation, as `io.modelcontextprotocol/serverInfo` carries it. */
export interface ServerImplementation {
  readonly name: string;
  readonly version: string;
  readonly title?: string;
}

/** Dressed copies of constant results, made once per result and cache hint (EMPTY_RESULT serves several methods). */
const dressedConstants = new WeakMap<object, Map<CacheHint | undefined, Params>>();

function dress(result: Params, serverInfo: ServerImplementation, cache: CacheHint | undefined): Params {
  const given = result._meta;
  const meta: Params = typeof given === 'object' && given !== null && !Array.isArray(given) ? { ...given } : {};
  meta[META_KEYS.serverInfo] = serverInfo;
  // caching.mdx (checklist M-R11): an InputRequiredResult carries no cache hints.
  const hint = result.resultType === 'input_required' ? undefined : cache;
  return { resultType: 'complete', ...result, ...hint, _meta: meta };
}

/**
 * The modern form of `result`: a new object (or, for a constant result, its one dressed constant).
 * `cache` is given for the six cacheable results only (caching.mdx), never for the others.
 */
export function modernResult(result: Params, serverInfo: ServerImplementation, cache: CacheHint | undefined): Params {
  if (!isConstantResult(result)) return dress(result, serverInfo, cache);
  let byHint = dressedConstants.get(result);
  if (byHint === undefined) dressedConstants.set(result, (byHint = new Map()));
  let dressed = byHint.get(cache);
  if (dressed === undefined) byHint.set(cache, (dressed = constantResult(dress(result, serverInfo, cache))));
  return dressed;
}
