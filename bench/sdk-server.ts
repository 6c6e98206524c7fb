/**
 * The reference server: the incident tools written the usual way with the official SDK, as its
 * README and examples show: McpServer with zod schemas, one StreamableHTTPServerTransport and one
 * McpServer per stateful session kept in a Map, express via createMcpExpressApp, and
 * requireBearerAuth with a jose verifier that checks the RS256 signature on every request. It
 * serves the same tools, resources (incidents://all, incidents://{id}) and prompt, and tells every
 * open session's GET stream resources/list_changed after a create (the fan-out workload). The
 * store keeps the same file format and durability as ours (temp file, fsync, rename, fsync of the
 * directory) but, as usually written, rewrites the file once per create, one create at a time.
 * Environment: PORT, BENCH_ISSUER, BENCH_AUDIENCE, INCIDENTS_FILE. Prints `READY <port>`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import type { OAuthTokenVerifier } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as z from 'zod';
import { describe, FileStore, incidentShape, SEVERITIES, STATUSES } from './sdk-store.ts';

const env = process.env;
const ISSUER = env['BENCH_ISSUER'] ?? '';
const FILE = env['INCIDENTS_FILE'] ?? '';
const store = new FileStore(FILE);

const jwks = createRemoteJWKSet(new URL(`${ISSUER}/v1/keys`));

const verifier: OAuthTokenVerifier = {
  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: env['BENCH_AUDIENCE'] ?? '', algorithms: ['RS256'] });
    const scopes = Array.isArray(payload['scp']) ? (payload['scp'] as string[]) : [];
    const info: AuthInfo = { token, clientId: String(payload['cid'] ?? payload.sub), scopes };
    if (payload.exp !== undefined) info.expiresAt = payload.exp;
    return info;
  },
};

/** Every connected session's server, to tell them about a new incident. */
const live = new Set<McpServer>();


function buildServer(): McpServer {
  const server = new McpServer({ name: 'incident-sdk-reference', version: '1.0.0' });
  server.registerTool('create_incident', {
    title: 'Create incident',
    description: 'Record a new incident. Severity defaults to medium and status to open. Returns the new incident with its id.',
    inputSchema: {
      title: z.string().min(1).max(200).describe('Short summary of the problem, one line.'),
      severity: z.enum(SEVERITIES).optional().describe('low, medium, high or critical; default medium.'),
      status: z.enum(STATUSES).optional().describe('open, investigating or resolved; default open.'),
      description: z.string().max(5000).optional().describe('Optional details.'),
    },
    outputSchema: { incident: incidentShape },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  }, async (args, extra) => {
    if (extra.authInfo?.scopes.includes('incidents:write') !== true) {
      return { isError: true, content: [{ type: 'text', text: 'This tool needs the incidents:write scope.' }] };
    }
    const now = new Date().toISOString();
    const incident = await store.create({
      title: args.title.trim(), severity: args.severity ?? 'medium', status: args.status ?? 'open',
      ...(args.description === undefined ? {} : { description: args.description }),
      createdAt: now, updatedAt: now, createdBy: extra.authInfo.clientId,
    });
    for (const other of live) if (other.isConnected()) other.sendResourceListChanged();
    return { content: [{ type: 'text', text: `Created incident ${describe(incident)}.` }], structuredContent: { incident } };
  });
  server.registerTool('list_incidents', {
    title: 'List incidents',
    description: 'List incidents, newest first, optionally filtered by severity, status or a text query.',
    inputSchema: {
      severity: z.enum(SEVERITIES).optional(),
      status: z.enum(STATUSES).optional(),
      query: z.string().min(1).max(200).optional(),
      limit: z.number().int().min(1).max(200).optional().describe('At most this many; default 50.'),
    },
    outputSchema: { incidents: z.array(incidentShape) },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, async (args) => {
    const incidents = store.list(args, args.limit ?? 50);
    const text = incidents.length === 0 ? 'No incidents match.' : incidents.map(describe).join('\n');
    return { content: [{ type: 'text', text }], structuredContent: { incidents } };
  });
  server.registerTool('update_incident', {
    title: 'Update incident',
    description: 'Change an existing incident: status, severity, title or description.',
    inputSchema: { id: z.string(), status: z.enum(STATUSES).optional(), severity: z.enum(SEVERITIES).optional(), title: z.string().optional() },
    outputSchema: { incident: incidentShape },
  }, async (args) => ({ isError: true, content: [{ type: 'text', text: `Updating ${args.id} is not part of the benchmark.` }] }));
  registerReadables(server);
  return server;
}

function registerReadables(server: McpServer): void {
  server.registerResource('incidents', 'incidents://all', { title: 'All incidents', mimeType: 'application/json' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(store.list({}, Number.MAX_SAFE_INTEGER)) }],
  }));
  server.registerResource('incident', new ResourceTemplate('incidents://{id}', { list: undefined }), { title: 'One incident', mimeType: 'application/json' }, async (uri, { id }) => {
    const incident = store.records.get(String(id));
    if (incident === undefined) throw new Error(`No incident ${String(id)}`);
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(incident) }] };
  });
  server.registerPrompt('triage_incidents', {
    title: 'Triage incidents', description: 'Review open incidents and propose priorities.',
    argsSchema: { focus: z.enum(['severity', 'patterns']).optional() },
  }, async ({ focus }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Triage these incidents by ${focus ?? 'severity'}:\n${store.list({ status: 'open' }, 50).map(describe).join('\n')}` } }],
  }));
}

type SdkRequest = IncomingMessage & { body?: unknown; auth?: AuthInfo };
const transports = new Map<string, StreamableHTTPServerTransport>();

function badRequest(res: ServerResponse, message: string): void {
  res.writeHead(400, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

async function handlePost(req: SdkRequest, res: ServerResponse): Promise<void> {
  const sessionId = req.headers['mcp-session-id'];
  let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
  if (transport === undefined) {
    if (sessionId !== undefined || !isInitializeRequest(req.body)) return badRequest(res, 'Bad Request: No valid session ID provided');
    const created = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void transports.set(id, created),
    });
    const server = buildServer();
    created.onclose = () => {
      if (created.sessionId !== undefined) transports.delete(created.sessionId);
      live.delete(server);
    };
    live.add(server);
    await server.connect(created);
    transport = created;
  }
  await transport.handleRequest(req, res, req.body);
}

async function handleSessionRequest(req: SdkRequest, res: ServerResponse): Promise<void> {
  const sessionId = req.headers['mcp-session-id'];
  const transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
  if (transport === undefined) return badRequest(res, 'Invalid or missing session ID');
  await transport.handleRequest(req, res);
}

const app = createMcpExpressApp();
const auth = requireBearerAuth({ verifier, requiredScopes: ['incidents:read'] });
app.post('/mcp', auth, (req: SdkRequest, res: ServerResponse) => void handlePost(req, res));
app.get('/mcp', auth, (req: SdkRequest, res: ServerResponse) => void handleSessionRequest(req, res));
app.delete('/mcp', auth, (req: SdkRequest, res: ServerResponse) => void handleSessionRequest(req, res));

const listener = app.listen(Number(env['PORT'] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`READY ${(listener.address() as AddressInfo).port}\n`);
}) as Server;

process.once('SIGTERM', () => {
  listener.close(() => process.exit(0));
  listener.closeAllConnections();
});
