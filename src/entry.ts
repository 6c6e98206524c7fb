/**
 * What the two entry points (`npm start` = server.ts, `npm run dev` = dev.ts) share: reading the
 * configuration or exiting with its problems (never a stack trace), logging what `.env` got wrong,
 * and a graceful stop on SIGINT/SIGTERM within a bound, logged the same way by both.
 */
import { ConfigError, loadConfig, type Config, type Env } from './config.ts';
import { createLogger, type Logger } from './log.ts';

export const SHUTDOWN_GRACE_MS = 5000;

/** package.json `engines.node`: the oldest Node this server is tested on. */
const OLDEST_NODE: readonly [number, number] = [22, 19];

/** Exits with what to do when this Node is older than the supported ones: the first thing both entry points do. */
export function requireSupportedNode(): void {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > OLDEST_NODE[0] || (major === OLDEST_NODE[0] && minor >= OLDEST_NODE[1])) return;
  process.stderr.write(`incident-mcp-server needs Node.js ${OLDEST_NODE.join('.')} or newer, and this is ${process.version}: install a maintained LTS (22, 24, 26) or prefix the command with scripts/with-node.sh 22.\n`);
  process.exit(1);
}

/** The configuration and its logger, or exit 1 after printing every problem with its fix. */
export function configure(env: Env, warnings: readonly string[]): { config: Config; logger: Logger } {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  for (const warning of warnings) logger.warn(warning);
  return { config, logger };
}

/** On SIGINT or SIGTERM: log, `close` within the grace period, exit 0 (or 1 when it failed or hung). */
export function stopOnSignals(logger: Logger, close: (graceMs: number) => Promise<void>): void {
  const stop = (signal: string): void => {
    logger.info('shutting down', { signal });
    const hardStop = setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS + 2000);
    hardStop.unref();
    close(SHUTDOWN_GRACE_MS).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        // A failed final save (a full disk) loses nothing: the journal keeps every acknowledged change.
        logger.error('shutdown incomplete; pending changes stay in the journal', { error: error instanceof Error ? error.message : String(error) });
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
