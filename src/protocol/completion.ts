/**
 * completion/complete (MCP 2025-11-25 server/utilities/completion.mdx): argument suggestions for
 * prompts (`ref/prompt`) and resource templates (`ref/resource`, the template string as `uri`).
 * At most 100 values; a reference or argument we do not know is -32602.
 */
import type { Completer } from './definitions.ts';
import type { MethodDescriptor } from './dispatcher.ts';
import { invalidParams } from './errors.ts';
import type { FeatureRegistry } from './registry.ts';

/** schema.ts CompleteResult: `values` holds at most 100 items. */
const MAX_VALUES = 100;

const PARAMS = {
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
};

export function completionMethods(registry: FeatureRegistry): MethodDescriptor[] {
  if (!registry.hasCompletions) return [];
  const findCompleter = (ref: { type: string; name?: string; uri?: string }, argument: string): Completer => {
    const completers = ref.type === 'ref/prompt'
      ? registry.prompts.get(ref.name ?? '')?.complete
      : registry.templateNamed(ref.uri ?? '')?.definition.complete;
    // The argument name is client input: only the definition's own completers count, not Object.prototype's.
    const completer = completers !== undefined && Object.hasOwn(completers, argument) ? completers[argument] : undefined;
    // completion.mdx "Error Handling": invalid prompt name or argument → -32602.
    if (completer === undefined) throw invalidParams(`Nothing to complete for argument ${argument} of this reference`, { field: '/argument/name' });
    return completer;
  };
  return [
    {
      method: 'completion/complete',
      params: PARAMS,
      async handler(params, context) {
        const ref = params.ref as { type: string; name?: string; uri?: string };
        const argument = params.argument as { name: string; value: string };
        const resolved = ((params.context as { arguments?: Record<string, string> } | undefined)?.arguments) ?? {};
        const completion = await findCompleter(ref, argument.name)(argument.value, context, resolved);
        if (completion.values.length <= MAX_VALUES) return { completion: { ...completion } };
        return { completion: { values: completion.values.slice(0, MAX_VALUES), total: completion.total ?? completion.values.length, hasMore: true } };
      },
    },
  ];
}
