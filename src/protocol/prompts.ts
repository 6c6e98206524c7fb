/**
 * prompts/list and prompts/get (MCP 2025-11-25 server/prompts.mdx). An unknown prompt or a missing
 * required argument is -32602; argument values are strings (schema.ts GetPromptRequestParams).
 */
import type { JsonObject } from './definitions.ts';
import type { MethodDescriptor } from './dispatcher.ts';
import { invalidParams } from './errors.ts';
import { constantListMethod } from './pagination.ts';
import type { FeatureRegistry } from './registry.ts';

export function promptMethods(registry: FeatureRegistry): MethodDescriptor[] {
  const wires: JsonObject[] = [...registry.prompts.values()].map((p) => {
    const wire: JsonObject = { name: p.name };
    if (p.title !== undefined) wire.title = p.title;
    if (p.description !== undefined) wire.description = p.description;
    if (p.arguments !== undefined) wire.arguments = p.arguments;
    return wire;
  });
  return [
    constantListMethod('prompts/list', 'prompts', wires),
    {
      method: 'prompts/get',
      params: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, arguments: { type: 'object', additionalProperties: { type: 'string' } } },
      },
      async handler(params, context) {
        const prompt = registry.prompts.get(params.name as string);
        // server/prompts.mdx "Error Handling": invalid prompt name → -32602.
        if (prompt === undefined) throw invalidParams(`Unknown prompt: ${String(params.name)}`, { field: '/name' });
        const args = (params.arguments ?? {}) as Record<string, string>;
        for (const argument of prompt.arguments ?? []) {
          if (argument.required === true && args[argument.name] === undefined) {
            throw invalidParams(`Missing required argument: ${argument.name}`, { field: `/arguments/${argument.name}` });
          }
        }
        return { ...(await prompt.get(args, context)) };
      },
    },
  ];
}
