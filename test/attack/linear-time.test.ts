/**
 * Issue 15: every parser that reads client input takes time linear in it. Each case feeds the
 * pathological input of one parser at the size limit it can arrive with (16 KiB for a header,
 * Node's maxHeaderSize; 1 MiB for a body, MAX_BODY_BYTES) and bounds the fastest of five runs.
 * The bound is generous for a shared, noisy machine (over 10× what the linear code needs) yet far
 * below what the super-linear code took; the fastest of the runs is what counts, since a shared
 * machine only ever makes a run slower (a GC pause or a busy core in one run is not the parser): the old OUTER_WHITESPACE regex of the bearer parser spent
 * ~200 ms on the 16 KiB header, the first absolute-form target regex ~200 ms on a 16 KiB target,
 * and the old URI template matcher ~1.8 s on 64 KiB.
 */
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { test } from 'node:test';
import { extractBearer } from '../../src/auth/bearer.ts';
import { invalidTokenChallenge } from '../../src/auth/challenge.ts';
import { isIncidentId } from '../../src/incidents/model.ts';
import { parseAndClassify } from '../../src/protocol/messages.ts';
import { decodeCursor } from '../../src/protocol/pagination.ts';
import { compileUriTemplate } from '../../src/protocol/uri-template.ts';
import { EventStream } from '../../src/transport/event-stream.ts';
import { admit } from '../../src/transport/gate.ts';
import { acceptsMediaType, isJsonContentType, parseMediaType } from '../../src/transport/media-type.ts';
import { isAllowedHost, type OriginPolicy } from '../../src/transport/origin.ts';

const HEADER = 16 * 1024;
const BODY = 1024 * 1024;
/** Bound in ms: the linear parsers need under 2 ms here, the quadratic ones took 200+. */
const BOUND_MS = 50;

function fastestMs(run: () => unknown, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    try {
      run();
    } catch {
      // Refusing the input is an answer too; only the time matters here.
    }
    times.push(performance.now() - started);
  }
  return Math.min(...times);
}

function assertLinear(name: string, run: () => unknown): void {
  const ms = fastestMs(run);
  assert.ok(ms < BOUND_MS, `${name}: fastest of 5 runs ${ms.toFixed(1)} ms, bound ${BOUND_MS} ms`);
}

/** Header text of exactly `size` characters: `head`, then `unit` repeated, then `tail`. */
function filled(head: string, unit: string, tail: string, size = HEADER): string {
  const middle = size - head.length - tail.length;
  return head + unit.repeat(Math.ceil(middle / unit.length)).slice(0, middle) + tail;
}

test('Authorization (RFC 6750 §2.1): a 16 KiB run of SP or HTAB inside the header parses in linear time (the old regex took ~200 ms)', () => {
  for (const [head, unit, tail] of [['Bearer', ' ', 'x'], ['Bearer', '\t', 'x'], ['Basic', ' \t', 'x'], [' ', ' ', ' '], ['Bearer a', '=', 'x'], ['Bearer ', 'a', '!']]) {
    assertLinear(`${JSON.stringify(head)} + ${JSON.stringify(unit)}×n + ${JSON.stringify(tail)}`, () => extractBearer(filled(head as string, unit as string, tail as string)));
  }
});

test('resource URI templates (RFC 6570 level 1): a URI that many splits could match is matched in linear time', () => {
  // incidents://{id}, the server's template, at the body limit.
  assertLinear('incidents://{id}, 1 MiB', () => compileUriTemplate('incidents://{id}').match(filled('incidents://', '1', '/', BODY)));
  assertLinear('{id}.json, 1 MiB', () => compileUriTemplate('test://{id}.json').match(filled('test://', '.', 'x', BODY)));
  // Two variables split by a literal: the old matcher compiled a backtracking regex that tried every split (~1.8 s here).
  const twoVariables = compileUriTemplate('test://{a};{b}');
  assertLinear('{a};{b}, 64 KiB', () => twoVariables.match(filled('test://', 'a;', '/', 64 * 1024)));
  assertLinear('{a};{b}, 1 MiB', () => twoVariables.match(filled('test://', 'a;', '/', BODY)));
  assertLinear('{a};{b} percent runs, 1 MiB', () => twoVariables.match(filled('test://', '%4', ';x', BODY)));
  assert.deepEqual(twoVariables.match('test://x;y'), { a: 'x', b: 'y' });
});

test('Content-Type and Accept (RFC 9110 §8.3.1, §12.5.1): 16 KiB of separators, quotes, escapes and weights parse in linear time', () => {
  const cases: Array<[string, string]> = [
    ['many semicolons', filled('a/b', ';', '')],
    ['OWS around semicolons', filled('a/b', ' ; ', 'x')],
    ['an unterminated quoted-string of escapes', filled('a/b;p="', '\\a', '')],
    ['commas', filled('', ',', '')],
    ['unterminated quotes', filled('', 'a/b;q="', '')],
    ['a long qvalue', filled('a/b;q=0', '0', '')],
    ['many weighted elements', filled('', 'application/json;q=0.5,', '')],
    ['escaped commas in quotes', filled('', 'x/y;a="\\,', '')],
    ['a long charset', filled('application/json;charset=', 'a', '')],
  ];
  for (const [name, header] of cases) {
    assertLinear(name, () => {
      parseMediaType(header);
      acceptsMediaType(header, 'application/json');
      isJsonContentType(header);
    });
  }
});

test('Host (DNS-rebinding check): 16 KiB of names, brackets and colons parse in linear time', () => {
  const policy: OriginPolicy = { allowedOrigins: [], publicHost: 'mcp.example.com', port: () => 8080 };
  for (const host of [filled('', 'a', ':x'), filled('[', ':', ''), filled('', 'a:', ''), filled('[', '0', ']:1')]) {
    assertLinear(`host ${JSON.stringify(host.slice(0, 6))}…`, () => isAllowedHost({ headers: { host } } as IncomingMessage, policy));
  }
});

test('request target and Transfer-Encoding (RFC 9112 §3.2.2, §6.1): 16 KiB absolute-form targets and codings are judged in linear time (the old target regex took ~200 ms)', () => {
  const policy: OriginPolicy = { allowedOrigins: [], publicHost: 'mcp.example.com', port: () => 8080 };
  const request = (url: string, coding = 'chunked'): IncomingMessage => {
    const req = new IncomingMessage(new Socket());
    req.url = url;
    req.rawHeaders = ['Host', 'mcp.example.com', 'Transfer-Encoding', coding];
    req.headers = { host: 'mcp.example.com', 'transfer-encoding': coding };
    return req;
  };
  for (const url of [filled('http://', 'a', '#'), filled('http://mcp.example.com/', 'a', '#'), filled('http://', ':', '#'), filled('h', 'a', '')]) {
    assertLinear(`target ${JSON.stringify(url.slice(0, 10))}…`, () => admit(request(url), policy));
  }
  for (const coding of [filled(',', ' ', 'x'), filled('', ', chunked', 'x'), filled('chunked', ' ', 'x')]) {
    assertLinear(`coding ${JSON.stringify(coding.slice(0, 10))}…`, () => admit(request('/mcp', coding), policy));
  }
});

test('Last-Event-ID, cursors, incident ids and JSON-RPC bodies at their size limits are read in linear time', () => {
  assertLinear('Last-Event-ID', () => EventStream.parseEventId(filled('', 'a', '-1')));
  assertLinear('Last-Event-ID digits', () => EventStream.parseEventId(filled('a-', '1', 'x')));
  assertLinear('cursor, 1 MiB', () => decodeCursor(filled('', 'a', '', BODY)));
  assertLinear('incident id, 1 MiB', () => isIncidentId(filled('', '1', 'x', BODY)));
  const method = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'm'.repeat(BODY - 64) });
  assert.ok(fastestMs(() => parseAndClassify(method)) < 4 * BOUND_MS, 'a 1 MiB message');
});

test('challenge text (RFC 6750 §3): a 16 KiB description is quoted in linear time', () => {
  const info = { resourceMetadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp', defaultScopes: ['incidents:read'] };
  assertLinear('error_description', () => invalidTokenChallenge(info, filled('', '"\\\x01', '')));
});
