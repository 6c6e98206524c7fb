/**
 * tools/list and tools/call (MCP 2025-11-25 server/tools.mdx). Unknown tools and malformed calls
 * are protocol errors (-32602); arguments that break the tool's inputSchema, and ToolErrors the
 * tool throws, are tool execution errors: results with `isError: true` the model can act on
 * (SEP-1303). The tool's own code runs only with validated arguments.
 */
import { ToolError, type CallToolResult, type JsonObject } from './definitions.ts';
import type { MethodDescriptor } from './dispatcher.ts';
import { invalidParams } from './errors.ts';
import { constantListMethod } from './pagination.ts';
import type { FeatureRegistry } from './registry.ts';
import { fieldName } from './validation.ts';

function toolError(message: string, structured?: JsonObject): CallToolResult {
  const result: CallToolResult = { content: [{ type: 'text', text: message }], isError: true };
  if (structured !== undefined) result._meta = { 'io.github.incident-mcp/error': structured };
  return result;
}

export function toolMethods(registry: FeatureRegistry): MethodDescriptor[] {
  return [
    constantListMethod('tools/list', 'tools', [...registry.tools.values()].map((t) => t.wire)),
    {
      method: 'tools/call',
      // schema.ts CallToolRequestParams: name required, arguments an object; `task` is ignored
      // because we do not declare the tasks capability (basic/utilities/tasks.mdx).
      params: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, arguments: { type: 'object' } } },
      async handler(params, context) {
        const tool = registry.tools.get(params.name as string);
        // server/tools.mdx "Error Handling": unknown tool → -32602.
        if (tool === undefined) throw invalidParams(`Unknown tool: ${String(params.name)}`, { field: '/name' });
        const args = (params.arguments ?? {}) as JsonObject;
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
    },
  ];
}
