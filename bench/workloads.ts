/**
 * The workloads, in both eras of MCP on Streamable HTTP, as the steps one wrk connection repeats:
 * legacy (2025-11-25: an open session's id and MCP-Protocol-Version on every request) and modern
 * (2026-07-28: no session; `_meta` with version, capabilities and client info in every request,
 * `MCP-Protocol-Version`, `Mcp-Method` and, for a named tool or resource, `Mcp-Name` headers).
 * Bodies hold `__ID__` where mcp.lua puts a fresh JSON-RPC id. Pure data: no I/O.
 */
export type Era = 'legacy' | 'modern';
export const ERAS: readonly Era[] = ['legacy', 'modern'];

export type Workload = 'tools-list' | 'list-incidents' | 'list-first-page' | 'list-filtered' | 'create' | 'session';

/** One request of a cycle. */
export interface Step {
  http: 'POST' | 'DELETE';
  /** The HTTP status expected; 0: any 2xx. */
  expect: number;
  /** Keep the MCP-Session-Id of this step's answer for the following steps. */
  capture?: boolean;
  /** Send the session id (captured, or a pre-opened one). */
  session?: boolean;
  headers: Record<string, string>;
  body?: string;
}

export interface WorkloadInfo {
  title: string;
  /** Incidents in the store the server starts with. */
  stored: number;
  read: boolean;
  /** Legacy: runs in sessions opened before the clock starts (else the cycle opens its own). */
  needsSessions: boolean;
}

export const LEGACY_VERSION = '2025-11-25';
export const MODERN_VERSION = '2026-07-28';

export const WORKLOADS: Record<Workload, WorkloadInfo> = {
  'tools-list': { title: 'tools/list', stored: 25, read: true, needsSessions: true },
  'list-incidents': { title: 'list_incidents, 25 stored', stored: 25, read: true, needsSessions: true },
  'list-first-page': { title: 'list_incidents, 10,000 stored, first page', stored: 10_000, read: true, needsSessions: true },
  'list-filtered': { title: 'list_incidents, 10,000 stored, filtered', stored: 10_000, read: true, needsSessions: true },
  create: { title: 'create_incident (durable)', stored: 10_000, read: false, needsSessions: true },
  session: { title: 'full session', stored: 25, read: false, needsSessions: false },
};

const LIST = { name: 'list_incidents', arguments: {} };
const FILTERED = { name: 'list_incidents', arguments: { severity: 'high', status: 'open', query: 'checkout' } };
const CREATE = { name: 'create_incident', arguments: { title: 'Checkout API returns 502 under load', severity: 'high' } };

const META = {
  'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
};

function body(method: string, params: Record<string, unknown> | undefined): string {
  const text = JSON.stringify({ jsonrpc: '2.0', id: 0, method, ...(params === undefined ? {} : { params }) });
  return text.replace('"id":0', '"id":__ID__');
}

function legacy(method: string, params?: Record<string, unknown>): Step {
  return { http: 'POST', expect: 200, session: true, headers: { 'mcp-protocol-version': LEGACY_VERSION }, body: body(method, params) };
}

function modern(method: string, params: Record<string, unknown> = {}): Step {
  const name = typeof params['name'] === 'string' ? params['name'] : typeof params['uri'] === 'string' ? params['uri'] : undefined;
  const headers: Record<string, string> = { 'mcp-protocol-version': MODERN_VERSION, 'mcp-method': method };
  if (name !== undefined) headers['mcp-name'] = name;
  return { http: 'POST', expect: 200, headers, body: body(method, { ...params, _meta: META }) };
}

/** A legacy initialize (the step that opens a session). */
export const INITIALIZE_BODY = JSON.stringify({
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: LEGACY_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } },
});

/** What one connection repeats for a workload in an era. */
export function stepsFor(workload: Workload, era: Era): Step[] {
  const make = era === 'legacy' ? legacy : modern;
  switch (workload) {
    case 'tools-list':
      return [make('tools/list')];
    case 'list-incidents':
    case 'list-first-page':
      return [make('tools/call', LIST)];
    case 'list-filtered':
      return [make('tools/call', FILTERED)];
    case 'create':
      return [make('tools/call', CREATE)];
    case 'session':
      if (era === 'modern') return [modern('server/discover'), modern('tools/list'), modern('tools/call', LIST)];
      return [
        { http: 'POST', expect: 200, capture: true, headers: {}, body: body('initialize', JSON.parse(INITIALIZE_BODY).params) },
        { http: 'POST', expect: 0, session: true, headers: { 'mcp-protocol-version': LEGACY_VERSION }, body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' },
        legacy('tools/list'),
        legacy('tools/call', LIST),
        { http: 'DELETE', expect: 0, session: true, headers: { 'mcp-protocol-version': LEGACY_VERSION } },
      ];
  }
}
