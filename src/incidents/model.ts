/**
 * The incident record: its type, the allowed severity and status values, the severity order,
 * and the check applied to every record read from storage. Records are frozen once built, so a
 * store can hand them out without copying. This module does no I/O and knows nothing of MCP.
 */

/** Allowed severities, least to most severe. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Allowed statuses, in the order an incident usually moves through them. */
export const STATUSES = ['open', 'investigating', 'resolved'] as const;
export type Status = (typeof STATUSES)[number];

/** One incident. Files written before timestamps existed hold only id, title, severity and status. */
export interface Incident {
  /** A positive integer in decimal, without leading zeros, e.g. "12". */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly status: Status;
  readonly description?: string;
  /** ISO 8601. */
  readonly createdAt?: string;
  /** ISO 8601. */
  readonly updatedAt?: string;
  /** The OAuth client id (or subject) that created it. */
  readonly createdBy?: string;
}

const SEVERITY_RANK: ReadonlyMap<Severity, number> = new Map(SEVERITIES.map((s, i) => [s, i]));

/** 0 for `low` up to 3 for `critical`. */
export function severityRank(severity: Severity): number {
  return SEVERITY_RANK.get(severity) ?? 0;
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

const ID_PATTERN = /^[1-9][0-9]*$/;

/** True for a canonical positive integer id that fits a safe integer ("7", not "07" or "7.0"). */
export function isIncidentId(value: string): boolean {
  return ID_PATTERN.test(value) && Number.isSafeInteger(Number(value));
}

/** Orders ids numerically, newest (largest) first. */
export function compareNewestFirst(a: Incident, b: Incident): number {
  return Number(b.id) - Number(a.id);
}

// Calendar date, 'T', time with optional fraction, then 'Z' or an offset (ISO 8601 / RFC 3339 §5.6).
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const OPTIONAL_FIELDS = ['description', 'createdAt', 'updatedAt', 'createdBy'] as const;
type OptionalField = (typeof OPTIONAL_FIELDS)[number];
const KNOWN_FIELDS: ReadonlySet<string> = new Set(['id', 'title', 'severity', 'status', ...OPTIONAL_FIELDS]);

/**
 * Checks one stored record, found under `key` in the file. Returns the frozen Incident, or a
 * sentence saying what is wrong. Unknown fields are a problem: keeping them would need a schema
 * this version does not have, and dropping them on the next write would lose data.
 */
export function parseIncident(key: string, value: unknown): Incident | string {
  const where = `incident ${JSON.stringify(key)}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `${where} must be an object`;
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).find((field) => !KNOWN_FIELDS.has(field));
  if (unknown !== undefined) return `${where} has an unknown field ${JSON.stringify(unknown)}`;
  const { id, title, severity, status } = record;
  if (typeof id !== 'string' || !isIncidentId(id)) return `${where} must have an "id" that is a positive integer string`;
  if (id !== key) return `${where} has id ${JSON.stringify(id)}; the key and the id must match`;
  if (typeof title !== 'string') return `${where} must have a string "title"`;
  if (!isSeverity(severity)) return `${where} has severity ${JSON.stringify(severity)}; allowed: ${SEVERITIES.join(', ')}`;
  if (!isStatus(status)) return `${where} has status ${JSON.stringify(status)}; allowed: ${STATUSES.join(', ')}`;
  const optional: Partial<Record<OptionalField, string>> = {};
  for (const field of OPTIONAL_FIELDS) {
    const fieldValue = record[field];
    if (fieldValue === undefined) continue;
    if (typeof fieldValue !== 'string') return `${where} has a non-string "${field}"`;
    if ((field === 'createdAt' || field === 'updatedAt') && !isTimestamp(fieldValue)) {
      return `${where} has "${field}" ${JSON.stringify(fieldValue)}, which is not an ISO 8601 date-time`;
    }
    optional[field] = fieldValue;
  }
  return makeIncident({ id, title, severity, status, ...optional });
}

/** An incident's fields, where undefined means "absent". */
export type IncidentFields = Pick<Incident, 'id' | 'title' | 'severity' | 'status'> & {
  [K in OptionalField]?: string | undefined;
};

/** The frozen Incident, fields in file order, absent ones left out. */
export function makeIncident(fields: IncidentFields): Incident {
  const incident: { -readonly [K in keyof Incident]: Incident[K] } = {
    id: fields.id, title: fields.title, severity: fields.severity, status: fields.status,
  };
  for (const field of OPTIONAL_FIELDS) {
    const value = fields[field];
    if (value !== undefined) incident[field] = value;
  }
  return Object.freeze(incident);
}

function isTimestamp(value: string): boolean {
  return TIMESTAMP_PATTERN.test(value) && !Number.isNaN(Date.parse(value));
}
