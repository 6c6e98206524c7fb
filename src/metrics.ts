/**
 * Operational metrics in the Prometheus text format, with prom-client (the ecosystem's standard
 * library): requests by HTTP method, JSON-RPC method, status and era, their latency, refusals by
 * kind, live sessions and streams, key fetches, store operations and the database pool, plus
 * Node's process metrics. Every label value comes from a fixed set the server chose (a method it
 * serves, a refusal kind, a status it sent): never a token, a session id, a client's string or an
 * incident's text. One registry per server, so several servers in one process (tests) never mix.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets in seconds: sub-millisecond answers up to long-held streams. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60];

export type Era = 'legacy' | 'modern' | 'none';

/** One answered HTTP request, as the access-log line sees it. */
export interface RequestSample {
  /** GET, POST, DELETE, OPTIONS, or `other`. */
  readonly http: string;
  /** A JSON-RPC method the server knows, `unknown` for one it does not, `none` without one. */
  readonly rpc: string;
  readonly status: number;
  readonly era: Era;
  readonly seconds: number;
  /** The refusal kind (transport/refusal.ts) when the request was refused. */
  readonly refusal: string | undefined;
}

const HTTP_METHODS = new Set(['GET', 'POST', 'DELETE', 'OPTIONS', 'HEAD']);

export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'mcp_requests_total', help: 'HTTP requests answered, by HTTP method, JSON-RPC method, status and era', labelNames: ['http', 'rpc', 'status', 'era'], registers: [this.registry] });
  private readonly latency = new Histogram({ name: 'mcp_request_duration_seconds', help: 'Time from a request’s arrival to the end of its answer (streams included)', labelNames: ['rpc', 'era'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly refusals = new Counter({ name: 'mcp_refusals_total', help: 'Requests refused, by refusal kind (auth refusals among them: missingToken, invalidToken, insufficientScope…)', labelNames: ['kind'], registers: [this.registry] });
  private readonly keyFetches = new Counter({ name: 'mcp_jwks_fetches_total', help: 'Fetches of the issuer’s signing keys, by outcome', labelNames: ['outcome'], registers: [this.registry] });
  private readonly store = new Histogram({ name: 'mcp_store_operation_seconds', help: 'Incident store operations, by operation and outcome', labelNames: ['operation', 'outcome'], buckets: LATENCY_BUCKETS, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one answered request; `rpc` must already be bounded (knownMethod). */
  request(sample: RequestSample): void {
    const http = HTTP_METHODS.has(sample.http) ? sample.http : 'other';
    this.requests.inc({ http, rpc: sample.rpc, status: String(sample.status), era: sample.era });
    this.latency.observe({ rpc: sample.rpc, era: sample.era }, sample.seconds);
    if (sample.refusal !== undefined) this.refusals.inc({ kind: sample.refusal });
  }

  keyFetch(outcome: 'ok' | 'failed'): void {
    this.keyFetches.inc({ outcome });
  }

  storeOperation(operation: string, outcome: 'ok' | 'failed', seconds: number): void {
    this.store.observe({ operation, outcome }, seconds);
  }

  /** A gauge read when scraped (live sessions, open streams, pool connections). */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()); } });
  }

  /** The exposition: body and its content type. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
