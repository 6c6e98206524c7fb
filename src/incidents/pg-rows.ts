/**
 * One row of the `incidents` table (pg-migrations.ts) and the incident it holds, and the patch
 * rule, the same as json-store.ts's: fields given replace the old ones, an empty description
 * removes it, and a patch that changes nothing is no change. Pure; pg-store.ts does the I/O.
 */
import type { Incident, Severity, Status } from './model.ts';
import { makeIncident } from './model.ts';
import type { IncidentPatch } from './store.ts';

/** The columns every query selects, in IncidentRow's order. */
export const COLUMNS = 'id, title, severity, status, description, created_at, updated_at, created_by, revision';

/** A row as node-postgres returns it: bigint columns as text, NULL as null. */
export interface IncidentRow {
  id: string;
  title: string;
  severity: Severity;
  status: Status;
  description: string | null;
  created_at: string | null;
  updated_at: string | null;
  created_by: string | null;
  /** bigint, as text. */
  revision: string;
}

/** The frozen incident a row holds. */
export function fromRow(row: IncidentRow): Incident {
  return makeIncident({
    id: row.id, title: row.title, severity: row.severity, status: row.status,
    description: row.description ?? undefined, createdAt: row.created_at ?? undefined,
    updatedAt: row.updated_at ?? undefined, createdBy: row.created_by ?? undefined,
  });
}

/** The incident after `patch` (an empty description removes it), or undefined when it changes nothing. */
export function patched(current: Incident, patch: IncidentPatch, now: () => Date): Incident | undefined {
  const title = patch.title ?? current.title;
  const severity = patch.severity ?? current.severity;
  const status = patch.status ?? current.status;
  const description = patch.description === undefined ? current.description : patch.description || undefined;
  if (title === current.title && severity === current.severity && status === current.status && description === current.description) return undefined;
  return makeIncident({ ...current, title, severity, status, description, updatedAt: now().toISOString() });
}
