/**
 * tools/list and tools/call (MCP 2025-11-25 server/tools.mdx). Unknown tools and malformed calls
 * are protocol errors (-32602); arguments that break the tool's inputSchema, and ToolErrors the
 * tool throws, are tool execution errors: results with `isError: true` the model can act on
 * (SEP-1303). The tool's own code runs only with validated arguments.
 */
import { ToolError, type CallToolResult, type JsonObject } from './definitions.ts';
import { invalidParams } from './errors.ts';
import { BOTH_ERAS, defineMethod, type RegisteredMethod } from './method.ts';
import { constantListMethod } from './pagination.ts';
import { paramsSchema } from './params-schema.ts';
import type { FeatureRegistry } from './registry.ts';
import { fieldName } from './validation.ts';

function toolError(message: string, structured?: JsonObject): CallToolResult {
  const result: CallToolResult = { content: [{ type: 'text', text: message }], isError: true };
  if (structured !== undefined) result._meta = { 'io.github.incident-mcp/error': structured };
  return result;
}

// schema.ts CallToolRequestParams: name required, arguments an object; `task` is ignored
// because we do not declare the tasks capability (basic/utilities/tasks.mdx).
const CALL_PARAMS = paramsSchema({ type: 'object', required: ['name'], properties: { name: { type: 'string' }, arguments: { type: 'object' } } });

export function toolMethods(registry: FeatureRegistry): RegisteredMethod[] {
  return [
    constantListMethod('tools/list', 'tools', [...registry.tools.values()].map((t) => t.wire), { name: 'tools', flags: { listChanged: false } }),
    defineMethod({
      method: 'tools/call',
      params: CALL_PARAMS,
      scopes: (params) => registry.scopesOfTool(params.name),
      // server/tools.mdx "Security Considerations": servers MUST rate-limit tool invocations.
      rateLimit: 'tool',
      eras: BOTH_ERAS,
      capability: { name: 'tools' },
      namedBy: 'name',
      // MCP 2026-07-28 mrtr.mdx "Supported Requests": it may answer input_required.
      multiRound: true,
      clientCapabilities: (params) => registry.tools.get(params.name)?.definition.requiredClientCapabilities,
      paramHeaders: (params) => registry.tools.get(params.name)?.paramHeaders ?? [],
      async handler(params, context) {
        const tool = registry.tools.get(params.name);
        // server/tools.mdx "Error Handling": unknown tool → -32602.
        if (tool === undefined) throw invalidParams(`Unknown tool: ${params.name}`, { field: '/name' });
        const args: JsonObject = params.arguments ?? {};
        const problem = tool.validateInput(args);
        if (problem !== undefined) {
          return { ...toolError(`Invalid arguments for ${tool.definition.name}: ${fieldName(problem.field, 'arguments')} ${problem.message}.`) };
        }
        let result: CallToolResult;
        try {
          result = await tool.definition.call(args, context);
        } catch (error) {
          if (error instanceof ToolError) return { ...toolError(error.message, error.data) };
          throw error;
        }
        // server/tools.mdx "Output Schema": structured results MUST conform to the outputSchema.
        const broken = result.isError === true ? undefined : tool.validateOutput?.(result.structuredContent);
        if (broken !== undefined) throw new Error(`tool ${tool.definition.name} broke its outputSchema: ${fieldName(broken.field, 'structuredContent')} ${broken.message}`);
        return { ...result };
      },
    }),
  ];
}
