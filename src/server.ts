/**
 * Entry point: `node dist/server.js`. Reads the configuration once, starts the server, and shuts
 * it down on SIGINT/SIGTERM within a bound. Start-up problems (configuration, an unreadable
 * incidents file) are printed with their fix and exit with status 1, never a stack trace.
 */
import { startServer } from './app.ts';
import { ConfigError, loadConfig, readEnvironment } from './config.ts';

const SHUTDOWN_GRACE_MS = 5000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(readEnvironment());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const running = await startServer(config);
  const stop = (signal: string): void => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'shutting down', signal })}\n`);
    const hardStop = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 2000);
    hardStop.unref();
    void running.close(SHUTDOWN_GRACE_MS).then(() => process.exit(0), (error: unknown) => {
      // A failed final save (a full disk) loses nothing: the journal keeps every acknowledged change.
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'shutdown incomplete; pending changes stay in the journal', error: message })}\n`);
      process.exit(1);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // Start-up failures that carry their own explanation (StoreLoadError, EADDRINUSE) are printed as is.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`incident-mcp-server could not start: ${message}\n`);
  process.exit(1);
});
