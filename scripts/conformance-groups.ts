/**
 * The groups of `npm run conformance`: one suite version at one spec version (the wire it speaks),
 * which of its scenarios run against the fixtures server and which against the incident server,
 * and that group's own list of known suite bugs (docs/conformance.md). Three groups:
 *
 * - `stable`: conformance 0.1.16 at 2025-11-25, every scenario it lists;
 * - `alpha`: conformance 0.2.0-alpha.12 at 2025-11-25, every scenario it lists;
 * - `modern`: the alpha at 2026-07-28 with `--requirements 2026-07-28` on the fixtures server: the
 *   revision's required scenarios, the pending ones, and the extensions' (reported, never scored).
 */
import { ALPHA_SUITE, listRequirements, listServerScenarios, STABLE_SUITE, suiteVersion, type Requirements, type Suite } from './conformance-suite.ts';

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
  /**
   * The fixtures server runs every scenario the suite lists for `specVersion`, one per process; or,
   * with `requirements`, the suite's requirement set of that revision, in one process.
   */
  readonly requirements?: string;
  /** Scenarios that need no fixtures, also run against the incident server. */
  readonly incident: readonly string[];
  /** Bugs of this suite version at this spec version, by scenario. Keep per group: they differ. */
  readonly knownBugs: ReadonlyMap<string, KnownBug>;
}

export interface Group extends GroupSpec {
  /** The installed suite version, e.g. `0.2.0-alpha.12`. */
  readonly version: string;
  /** Scenarios run one by one on the fixtures server (none when the group runs a requirement set). */
  readonly fixtureScenarios: readonly string[];
  /** The requirement set the fixtures server runs in one go, when `requirements` is set. */
  readonly requirementSet: Requirements | undefined;
}

const STALE_HEADER = 'stale MCP-Protocol-Version 2025-03-26 on a 2025-11-25 session';

/** The 2025-11-25 scenarios that need no fixtures. */
const LEGACY_INCIDENT = ['server-initialize', 'ping', 'tools-list', 'resources-list', 'prompts-list', 'server-sse-multiple-streams', 'dns-rebinding-protection'];

/**
 * The 2026-07-28 scenarios that need no fixtures, also run on the incident server.
 * http-header-validation is among them: it calls the first listed tool (create_incident) with `{}`,
 * which the server answers with an `isError` result, not a JSON-RPC error.
 */
const MODERN_INCIDENT = [
  'tools-list',
  'resources-list',
  'prompts-list',
  'caching',
  'sep-2164-resource-not-found',
  'dns-rebinding-protection',
  'http-header-validation',
  'server-sse-multiple-streams',
  'input-required-result-unsupported-methods',
];

export const GROUPS: readonly GroupSpec[] = [
  {
    id: 'stable',
    suite: STABLE_SUITE,
    specVersion: '2025-11-25',
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
    incident: [...LEGACY_INCIDENT, 'server-session-lifecycle'],
    knownBugs: new Map(),
  },
  {
    id: 'modern',
    suite: ALPHA_SUITE,
    specVersion: '2026-07-28',
    requirements: '2026-07-28',
    incident: MODERN_INCIDENT,
    knownBugs: new Map(),
  },
];

/** Lists the group's scenarios with its suite; a name the suite no longer lists stops the run. */
export async function resolveGroup(spec: GroupSpec): Promise<Group> {
  const listed = await listServerScenarios(spec.suite, spec.specVersion);
  const version = await suiteVersion(spec.suite);
  const requirementSet = spec.requirements === undefined ? undefined : await listRequirements(spec.suite, spec.requirements);
  const fixtureScenarios = requirementSet === undefined ? listed : [];
  const unknown = [...new Set([...spec.incident, ...spec.knownBugs.keys()])].filter((name) => !listed.includes(name));
  if (unknown.length > 0) {
    throw new Error(`conformance ${version} no longer lists ${unknown.join(', ')} at ${spec.specVersion}; update scripts/conformance-groups.ts.`);
  }
  return { ...spec, version, fixtureScenarios, requirementSet };
}
