/**
 * What a node-postgres failure means for the incident store, decided from codes only: the errno
 * code of a socket error (ECONNREFUSED…), the SQLSTATE of a server error (PostgreSQL Appendix A),
 * or the kind of the driver's own errors (connection lost, timeout). No driver message, host or
 * URL ever leaves this module: a failure at run time becomes StoreUnavailableError, one at
 * start-up a StoreLoadError saying what to fix in DATABASE_URL.
 */
import { errorCode } from './atomic-file.ts';
import { StoreLoadError, StoreUnavailableError } from './store.ts';

/** What StoreLoadError names instead of a path: the setting, never its value (it may hold a password). */
export const DATABASE_SETTING = 'DATABASE_URL';

/** A PostgreSQL server error carries a five-character SQLSTATE in `code` and a `severity`. */
function sqlState(error: unknown): string | undefined {
  const code = errorCode(error);
  const severity = typeof error === 'object' && error !== null ? (error as { severity?: unknown }).severity : undefined;
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string' ? code : undefined;
}

/**
 * A short, safe reason for logs: `SQLSTATE 57P01`, an errno code, or a kind of the driver's own
 * errors (they have no code; their text is read here, never passed on).
 */
export function failureReason(error: unknown): string {
  const state = sqlState(error);
  if (state !== undefined) return `SQLSTATE ${state}`;
  const code = errorCode(error);
  if (code !== undefined) return code;
  const text = error instanceof Error ? error.message : '';
  if (/timeout/i.test(text)) return 'timeout';
  if (/ended|end on the pool/i.test(text)) return 'pool closed';
  return 'connection lost';
}

/** Where in a transaction a failure happened: it decides whether the change may have been kept. */
export type Phase = 'connect' | 'work' | 'commit';

/**
 * SQLSTATE classes that end the session rather than the transaction (PostgreSQL Appendix A):
 * connection exception, insufficient resources, operator intervention (57P01: terminated),
 * system error, internal error. Reported during COMMIT, they may follow a commit already made.
 */
const SESSION_CLASSES = new Set(['08', '53', '57', '58', 'XX']);

/**
 * The run-time error for a failure in `phase`. A failure before COMMIT was sent rolls the
 * transaction back (the server aborts an open transaction whose connection is gone), and so does
 * an ordinary error reported for COMMIT; a connection lost or ended during COMMIT leaves the
 * outcome unknown (the commit may have happened without its answer arriving).
 */
export function unavailable(error: unknown, phase: Phase): StoreUnavailableError {
  const state = sqlState(error);
  const sessionEnded = state === undefined || SESSION_CLASSES.has(state.slice(0, 2));
  return new StoreUnavailableError(failureReason(error), phase === 'commit' && sessionEnded ? 'unknown' : 'not-kept');
}

/** The start-up error for a database that cannot be opened: what to fix, by SQLSTATE or errno code. */
export function openFailure(error: unknown): StoreLoadError {
  const state = sqlState(error);
  const reason = failureReason(error);
  let problem: string;
  if (state?.startsWith('28') === true) {
    // Class 28: invalid authorization specification (28P01: wrong password).
    problem = `PostgreSQL refused the login (${reason}); check the user and password in ${DATABASE_SETTING}`;
  } else if (state === '3D000') {
    problem = `the database named in ${DATABASE_SETTING} does not exist (${reason}); create it, or fix the name`;
  } else if (state === '42501') {
    problem = `the user in ${DATABASE_SETTING} may not create the incident tables (${reason}); grant it CREATE on the database's schema, or run the first start as the owner`;
  } else if (state !== undefined) {
    problem = `PostgreSQL answered with an error (${reason}) while preparing the incident tables`;
  } else {
    problem = `the PostgreSQL server cannot be reached (${reason}); check that it is running and that ${DATABASE_SETTING} names its host and port`;
  }
  return new StoreLoadError(DATABASE_SETTING, undefined, problem);
}
