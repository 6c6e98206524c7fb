/**
 * What a method's descriptor says a caller must bring, checked the same way in both eras: the
 * scopes its params need (403 with the step-up challenge, authenticate.ts) and a turn of its
 * rate-limit class per principal (429 with Retry-After). Returns a refusal, or undefined when the
 * request may run.
 */
import type { RequestId } from '../protocol/messages.ts';
import type { RateLimitClass } from '../protocol/method.ts';
import { authorize, principalKey } from './authenticate.ts';
import type { McpRequest } from './context.ts';
import type { Refusal, RefusalKind } from './refusal.ts';

/** The refusal of each rate-limit class once its bucket is empty. */
const RATE_REFUSALS = {
  tool: 'rateLimited',
  session: 'initializeRateLimited',
} as const satisfies Record<Exclude<RateLimitClass, 'none'>, RefusalKind>;

/** Checks the scopes and spends the rate budget a method's descriptor declares; undefined when it may run. */
export function checkNeeds(post: McpRequest, method: string, scopes: readonly string[], rateLimit: RateLimitClass, id: RequestId | undefined): Refusal | undefined {
  const { ctx, principal, record } = post;
  const forbidden = authorize(scopes, method, principal, ctx, record);
  if (forbidden !== undefined) return forbidden;
  return limitRate(post, rateLimit, id);
}

/** tools.mdx and completion.mdx "Security Considerations": tool calls and completions MUST be rate-limited. */
function limitRate({ ctx, principal }: McpRequest, rateLimit: RateLimitClass, id: RequestId | undefined): Refusal | undefined {
  if (rateLimit === 'none') return undefined;
  const wait = ctx.limiters[rateLimit].take(principalKey(principal));
  return wait > 0 ? { refusal: RATE_REFUSALS[rateLimit], retryAfter: wait, id } : undefined;
}
