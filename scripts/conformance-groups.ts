/**
 * The groups of `npm run conformance`: one suite version at one spec version (the wire it speaks),
 * which of its scenarios run against the fixtures server and which against the incident server,
 * and that group's own list of known suite bugs (docs/conformance.md). Three groups:
 *
 * - `stable`: conformance 0.1.16 at 2025-11-25, every scenario it lists;
 * - `alpha`: conformance 0.2.0-alpha.12 at 2025-11-25, every scenario it lists;
 * - `modern`: the alpha at 2026-07-28, the scenarios of issue 11 (the modern era).
 */
import { ALPHA_SUITE, listServerScenarios, STABLE_SUITE, suiteVersion, type Suite } from './conformance-suite.ts';

export interface KnownBug {
  /** Why the suite, not the server, is wrong; printed with the row. */
  readonly reason: string;
  /**
   * Whether the bug is the stale `MCP-Protocol-Version: 2025-03-26` header, so the scenario is run
   * a second time through the proxy that corrects it (and that run counts like any other).
   */
  readonly staleHeader: boolean;
}

export interface GroupSpec {
  /** Short name used on the command line and in the docs. */
  readonly id: 'stable' | 'alpha' | 'modern';
  readonly suite: Suite;
  /** The spec version the scenarios run at: the wire. */
  readonly specVersion: string;
  /** Picks the fixtures server's scenarios from those the suite lists for `specVersion`. */
  readonly fixtures: (listed: readonly string[]) => string[];
  /** Scenarios that need no fixtures, also run against the incident server. */
  readonly incident: readonly string[];
  /** Bugs of this suite version at this spec version, by scenario. Keep per group: they differ. */
  readonly knownBugs: ReadonlyMap<string, KnownBug>;
}

export interface Group extends GroupSpec {
  /** The installed suite version, e.g. `0.2.0-alpha.12`. */
  readonly version: string;
  readonly fixtureScenarios: readonly string[];
}

const STALE_HEADER = 'stale MCP-Protocol-Version 2025-03-26 on a 2025-11-25 session';

/** The 2025-11-25 scenarios that need no fixtures. */
const LEGACY_INCIDENT = ['server-initialize', 'ping', 'tools-list', 'resources-list', 'prompts-list', 'server-sse-multiple-streams', 'dns-rebinding-protection'];

/**
 * Issue 11's 2026-07-28 scenarios on the fixtures server (25), by name, checked against the alpha's
 * `list --server --spec-version 2026-07-28`: server-stateless, caching, the SEP-2164 not-found read,
 * DNS rebinding, completion, every `tools-*`, `resources-*` and `prompts-*` scenario tagged for
 * 2026-07-28, and the three pending ones (json-schema-2020-12 and the two SEP-2243 header
 * scenarios). Not yet: server-sse-multiple-streams and input-required-result-* (the next issue).
 */
const MODERN_FIXTURES = [
  'server-stateless',
  'caching',
  'sep-2164-resource-not-found',
  'dns-rebinding-protection',
  'completion-complete',
  'tools-list',
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-error',
  'tools-call-with-progress',
  'resources-list',
  'resources-read-text',
  'resources-read-binary',
  'resources-templates-read',
  'prompts-list',
  'prompts-get-simple',
  'prompts-get-with-args',
  'prompts-get-embedded-resource',
  'prompts-get-with-image',
  'json-schema-2020-12',
  'http-header-validation',
  'http-custom-header-server-validation',
];
/** A `tools-*`, `resources-*` or `prompts-*` scenario the alpha lists that MODERN_FIXTURES lacks stops the run. */
const MODERN_PREFIXES = ['tools-', 'resources-', 'prompts-'];

/**
 * The 2026-07-28 scenarios that need no fixtures, also run on the incident server.
 * http-header-validation is among them: it calls the first listed tool (create_incident) with `{}`,
 * which the server answers with an `isError` result, not a JSON-RPC error.
 */
const MODERN_INCIDENT = ['tools-list', 'resources-list', 'prompts-list', 'caching', 'sep-2164-resource-not-found', 'dns-rebinding-protection', 'http-header-validation'];

export const GROUPS: readonly GroupSpec[] = [
  {
    id: 'stable',
    suite: STABLE_SUITE,
    specVersion: '2025-11-25',
    fixtures: (listed) => [...listed],
    incident: LEGACY_INCIDENT,
    knownBugs: new Map([
      ['server-sse-polling', { reason: `${STALE_HEADER} (fixed upstream, conformance PR #366)`, staleHeader: true }],
      ['server-sse-multiple-streams', { reason: `${STALE_HEADER} (fixed upstream, conformance issue #412)`, staleHeader: true }],
    ]),
  },
  {
    id: 'alpha',
    suite: ALPHA_SUITE,
    specVersion: '2025-11-25',
    fixtures: (listed) => [...listed],
    incident: [...LEGACY_INCIDENT, 'server-session-lifecycle'],
    knownBugs: new Map(),
  },
  {
    id: 'modern',
    suite: ALPHA_SUITE,
    specVersion: '2026-07-28',
    fixtures: () => [...MODERN_FIXTURES],
    incident: MODERN_INCIDENT,
    knownBugs: new Map(),
  },
];

/**
 * Lists the group's scenarios with its suite; a name the suite no longer lists stops the run, and
 * so does (modern group) a `tools-*`, `resources-*` or `prompts-*` scenario it lists that the group lacks.
 */
export async function resolveGroup(spec: GroupSpec): Promise<Group> {
  const listed = await listServerScenarios(spec.suite, spec.specVersion);
  const version = await suiteVersion(spec.suite);
  const fixtureScenarios = spec.fixtures(listed);
  const unknown = [...new Set([...fixtureScenarios, ...spec.incident, ...spec.knownBugs.keys()])].filter((name) => !listed.includes(name));
  if (unknown.length > 0) {
    throw new Error(`conformance ${version} no longer lists ${unknown.join(', ')} at ${spec.specVersion}; update scripts/conformance-groups.ts.`);
  }
  if (spec.id === 'modern') {
    const missing = listed.filter((name) => MODERN_PREFIXES.some((prefix) => name.startsWith(prefix)) && !fixtureScenarios.includes(name));
    if (missing.length > 0) throw new Error(`conformance ${version} lists ${missing.join(', ')} at ${spec.specVersion}; add it to MODERN_FIXTURES in scripts/conformance-groups.ts.`);
  }
  return { ...spec, version, fixtureScenarios };
}
