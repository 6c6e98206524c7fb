/**
 * prompts/list and prompts/get (MCP 2025-11-25 server/prompts.mdx). An unknown prompt or a missing
 * required argument is -32602; argument values are strings (schema.ts GetPromptRequestParams).
 */
import type { JsonObject } from './definitions.ts';
import { invalidParams } from './errors.ts';
import { BOTH_ERAS, defineMethod, type RegisteredMethod } from './method.ts';
import { constantListMethod } from './pagination.ts';
import { paramsSchema } from './params-schema.ts';
import type { FeatureRegistry } from './registry.ts';

const GET_PARAMS = paramsSchema({
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' }, arguments: { type: 'object', additionalProperties: { type: 'string' } } },
});

export function promptMethods(registry: FeatureRegistry): RegisteredMethod[] {
  const wires: JsonObject[] = [...registry.prompts.values()].map((p) => {
    const wire: JsonObject = { name: p.name };
    if (p.title !== undefined) wire.title = p.title;
    if (p.description !== undefined) wire.description = p.description;
    if (p.arguments !== undefined) wire.arguments = p.arguments;
    return wire;
  });
  return [
    constantListMethod('prompts/list', 'prompts', wires, { name: 'prompts', flags: { listChanged: false } }),
    defineMethod({
      method: 'prompts/get',
      params: GET_PARAMS,
      scopes: (params) => registry.scopesOfPrompt(params.name),
      rateLimit: 'none',
      eras: BOTH_ERAS,
      capability: { name: 'prompts' },
      namedBy: 'name',
      // MCP 2026-07-28 mrtr.mdx "Supported Requests": it may answer input_required.
      multiRound: true,
      async handler(params, context) {
        const prompt = registry.prompts.get(params.name);
        // server/prompts.mdx "Error Handling": invalid prompt name → -32602.
        if (prompt === undefined) throw invalidParams(`Unknown prompt: ${params.name}`, { field: '/name' });
        const args: Record<string, string> = params.arguments ?? {};
        for (const argument of prompt.arguments ?? []) {
          if (argument.required === true && args[argument.name] === undefined) {
            throw invalidParams(`Missing required argument: ${argument.name}`, { field: `/arguments/${argument.name}` });
          }
        }
        return { ...(await prompt.get(args, context)) };
      },
    }),
  ];
}
