/**
 * The SDK v2 peer, written as its documentation shows (ts.sdk.modelcontextprotocol.io/v2,
 * serving/http, serving/legacy-clients, serving/authorization and examples/legacy-routing): one
 * factory building an McpServer with the same tools, resources and prompt as ours; modern requests
 * served by `createMcpHandler(factory, { legacy: 'reject' })` through `toNodeHandler`; 2025-era
 * requests routed by `isLegacyRequest` to the documented sessionful recipe (one
 * NodeStreamableHTTPServerTransport and McpServer per session, in a Map); express through
 * `createMcpExpressApp`, and `requireBearerAuth` with a jose verifier (RS256 on every request).
 * A create tells legacy sessions (sendResourceListChanged) and modern listen streams
 * (handler.notify.resourcesChanged). Store: sdk-store.ts, as the v1 peer.
 * Needs @modelcontextprotocol/server ≥ 2.4.0, @modelcontextprotocol/node and
 * @modelcontextprotocol/express: the two adapters are loaded by name, so the bench still
 * type-checks where they are not installed (run.ts then leaves this peer out and says why).
 * Environment: PORT, BENCH_ISSUER, BENCH_AUDIENCE, INCIDENTS_FILE. Prints `READY <port>`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler, isInitializeRequest, isLegacyRequest, McpServer, ResourceTemplate, type AuthInfo } from '@modelcontextprotocol/server';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as z from 'zod';
import { describe, FileStore, incidentShape, SEVERITIES, STATUSES } from './sdk-store.ts';

type NodeRequest = IncomingMessage & { body?: unknown; auth?: AuthInfo };
type Handler = (req: NodeRequest, res: ServerResponse, next?: () => void) => unknown;
/** The parts of @modelcontextprotocol/node used here. */
interface NodeAdapter {
  toNodeHandler(handler: unknown): (req: NodeRequest, res: ServerResponse, body?: unknown) => Promise<void>;
  toWebRequest(req: NodeRequest, body?: unknown): Promise<Request> | Request;
  NodeStreamableHTTPServerTransport: new (options: { sessionIdGenerator: () => string; onsessioninitialized: (id: string) => void }) => LegacyTransport;
}
interface LegacyTransport {
  sessionId?: string | undefined;
  onclose?: (() => void) | undefined;
  handleRequest(req: NodeRequest, res: ServerResponse, body?: unknown): Promise<void>;
}
/** The parts of @modelcontextprotocol/express used here. */
interface ExpressAdapter {
  createMcpExpressApp(): { post(path: string, ...h: Handler[]): void; get(path: string, ...h: Handler[]): void; delete(path: string, ...h: Handler[]): void; listen(port: number, host: string, ready: () => void): Server };
  requireBearerAuth(options: { verifier: { verifyAccessToken(token: string): Promise<AuthInfo> }; requiredScopes: string[] }): Handler;
}

const node = (await import('@modelcontextprotocol/' + 'node')) as NodeAdapter;
const express = (await import('@modelcontextprotocol/' + 'express')) as ExpressAdapter;

const env = process.env;
const ISSUER = env['BENCH_ISSUER'] ?? '';
const store = new FileStore(env['INCIDENTS_FILE'] ?? '');
const jwks = createRemoteJWKSet(new URL(`${ISSUER}/v1/keys`));
const verifier = {
  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: env['BENCH_AUDIENCE'] ?? '', algorithms: ['RS256'] });
    const scopes = Array.isArray(payload['scp']) ? (payload['scp'] as string[]) : [];
    return { token, clientId: String(payload['cid'] ?? payload.sub), scopes, ...(payload.exp === undefined ? {} : { expiresAt: payload.exp }) };
  },
};

const sessions = new Map<string, LegacyTransport>();
const legacyServers = new Set<McpServer>();
let announce = (): void => undefined;

function buildServer(authInfo: AuthInfo | undefined): McpServer {
  const server = new McpServer({ name: 'incident-sdk2-reference', version: '1.0.0' });
  server.registerTool('create_incident', {
    title: 'Create incident',
    description: 'Record a new incident. Severity defaults to medium and status to open. Returns the new incident with its id.',
    inputSchema: z.object({
      title: z.string().min(1).max(200).describe('Short summary of the problem, one line.'),
      severity: z.enum(SEVERITIES).optional().describe('low, medium, high or critical; default medium.'),
      status: z.enum(STATUSES).optional().describe('open, investigating or resolved; default open.'),
      description: z.string().max(5000).optional().describe('Optional details.'),
    }),
    outputSchema: z.object({ incident: incidentShape }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  }, async (args, ctx) => {
    const auth = ctx.http?.authInfo ?? authInfo;
    if (auth?.scopes.includes('incidents:write') !== true) return { isError: true, content: [{ type: 'text', text: 'This tool needs the incidents:write scope.' }] };
    const now = new Date().toISOString();
    const incident = await store.create({
      title: args.title.trim(), severity: args.severity ?? 'medium', status: args.status ?? 'open',
      ...(args.description === undefined ? {} : { description: args.description }), createdAt: now, updatedAt: now, createdBy: auth.clientId,
    });
    announce();
    return { content: [{ type: 'text', text: `Created incident ${describe(incident)}.` }], structuredContent: { incident } };
  });
  server.registerTool('list_incidents', {
    title: 'List incidents',
    description: 'List incidents, newest first, optionally filtered by severity, status or a text query.',
    inputSchema: z.object({
      severity: z.enum(SEVERITIES).optional(), status: z.enum(STATUSES).optional(), query: z.string().min(1).max(200).optional(),
      limit: z.number().int().min(1).max(200).optional().describe('At most this many; default 50.'),
    }),
    outputSchema: z.object({ incidents: z.array(incidentShape) }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, async (args) => {
    const incidents = store.list(args, args.limit ?? 50);
    return { content: [{ type: 'text', text: incidents.length === 0 ? 'No incidents match.' : incidents.map(describe).join('\n') }], structuredContent: { incidents } };
  });
  server.registerResource('incidents', 'incidents://all', { title: 'All incidents', mimeType: 'application/json' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(store.list({}, Number.MAX_SAFE_INTEGER)) }],
  }));
  server.registerResource('incident', new ResourceTemplate('incidents://{id}', { list: undefined }), { title: 'One incident', mimeType: 'application/json' }, async (uri, { id }) => {
    const incident = store.records.get(String(id));
    if (incident === undefined) throw new Error(`No incident ${String(id)}`);
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(incident) }] };
  });
  server.registerPrompt('triage_incidents', {
    title: 'Triage incidents', description: 'Review open incidents and propose priorities.', argsSchema: z.object({ focus: z.enum(['severity', 'patterns']).optional() }),
  }, async ({ focus }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Triage these incidents by ${focus ?? 'severity'}:\n${store.list({ status: 'open' }, 50).map(describe).join('\n')}` } }],
  }));
  return server;
}

// Modern leg: the strict handler, a fresh instance per request.
const modern = createMcpHandler((ctx) => buildServer(ctx.authInfo), { legacy: 'reject' });
const modernNode = node.toNodeHandler(modern);
announce = () => {
  modern.notify.resourcesChanged();
  for (const server of legacyServers) if (server.isConnected()) server.sendResourceListChanged();
};

// Legacy leg: the documented sessionful recipe.
async function handleLegacy(req: NodeRequest, res: ServerResponse): Promise<void> {
  const sid = req.headers['mcp-session-id'];
  const known = typeof sid === 'string' ? sessions.get(sid) : undefined;
  if (known !== undefined) return known.handleRequest(req, res, req.body);
  if (sid === undefined && isInitializeRequest(req.body)) {
    const transport = new node.NodeStreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => void sessions.set(id, transport) });
    const server = buildServer(req.auth);
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      legacyServers.delete(server);
    };
    legacyServers.add(server);
    await server.connect(transport as never);
    return transport.handleRequest(req, res, req.body);
  }
  res.writeHead(sid === undefined ? 400 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: sid === undefined ? -32000 : -32001, message: sid === undefined ? 'Bad Request: Session ID required' : 'Session not found' }, id: null }));
}

const app = express.createMcpExpressApp();
const auth = express.requireBearerAuth({ verifier, requiredScopes: ['incidents:read'] });
app.post('/mcp', auth, (req, res) => {
  void (async () => {
    const probe = await node.toWebRequest(req, req.body);
    await ((await isLegacyRequest(probe)) ? handleLegacy(req, res) : modernNode(req, res, req.body));
  })();
});
app.get('/mcp', auth, (req, res) => void handleLegacy(req, res));
app.delete('/mcp', auth, (req, res) => void handleLegacy(req, res));

const listener = app.listen(Number(env['PORT'] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`READY ${(listener.address() as AddressInfo).port}\n`);
});

process.once('SIGTERM', () => {
  listener.close(() => process.exit(0));
  listener.closeAllConnections();
});
