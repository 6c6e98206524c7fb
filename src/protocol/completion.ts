/**
 * completion/complete (MCP 2025-11-25 server/utilities/completion.mdx): argument suggestions for
 * prompts (`ref/prompt`) and resource templates (`ref/resource`, the template string as `uri`).
 * At most 100 values; a reference or argument we do not know is -32602.
 */
import type { Completer } from './definitions.ts';
import { invalidParams } from './errors.ts';
import { BOTH_ERAS, defineMethod, type RegisteredMethod } from './method.ts';
import { paramsSchema, type ParamsOf } from './params-schema.ts';
import type { FeatureRegistry } from './registry.ts';

/** schema.ts CompleteResult: `values` holds at most 100 items. */
const MAX_VALUES = 100;

const PARAMS = paramsSchema({
  type: 'object',
  required: ['ref', 'argument'],
  properties: {
    ref: {
      oneOf: [
        { type: 'object', required: ['type', 'name'], properties: { type: { const: 'ref/prompt' }, name: { type: 'string' } } },
        { type: 'object', required: ['type', 'uri'], properties: { type: { const: 'ref/resource' }, uri: { type: 'string' } } },
      ],
    },
    argument: { type: 'object', required: ['name', 'value'], properties: { name: { type: 'string' }, value: { type: 'string', maxLength: 1024 } } },
    context: { type: 'object', properties: { arguments: { type: 'object', additionalProperties: { type: 'string' } } } },
  },
});

/** schema.ts PromptReference | ResourceTemplateReference, as the schema above admits them. */
export type CompletionRef = ParamsOf<typeof PARAMS>['ref'];

export function completionMethods(registry: FeatureRegistry): RegisteredMethod[] {
  if (!registry.hasCompletions) return [];
  const findCompleter = (ref: CompletionRef, argument: string): Completer => {
    const completers = ref.type === 'ref/prompt' ? registry.prompts.get(ref.name)?.complete : registry.templateNamed(ref.uri)?.definition.complete;
    // The argument name is client input: only the definition's own completers count, not Object.prototype's.
    const completer = completers !== undefined && Object.hasOwn(completers, argument) ? completers[argument] : undefined;
    // completion.mdx "Error Handling": invalid prompt name or argument → -32602.
    if (completer === undefined) throw invalidParams(`Nothing to complete for argument ${argument} of this reference`, { field: '/argument/name' });
    return completer;
  };
  return [
    defineMethod({
      method: 'completion/complete',
      params: PARAMS,
      scopes: (params) => registry.scopesOfRef(params.ref),
      // utilities/completion.mdx "Security Considerations": servers MUST rate-limit completion requests.
      rateLimit: 'tool',
      eras: BOTH_ERAS,
      capability: { name: 'completions' },
      async handler(params, context) {
        const { ref, argument } = params;
        const completion = await findCompleter(ref, argument.name)(argument.value, context, params.context?.arguments ?? {});
        if (completion.values.length <= MAX_VALUES) return { completion: { ...completion } };
        return { completion: { values: completion.values.slice(0, MAX_VALUES), total: completion.total ?? completion.values.length, hasMore: true } };
      },
    }),
  ];
}
