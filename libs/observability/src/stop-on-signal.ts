import type { Logger } from './create-logger.js';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Waits for SIGTERM or SIGINT, then stops `service` gracefully, and resolves with the process's
 * exit code: 0 when it stopped cleanly, 1 when stopping failed or outlasted `graceSeconds`.
 */
export function stopOnSignal(service: Stoppable, logger: Logger, graceSeconds: number, messages: { stopping: string; overdue: string }): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, messages.stopping);
      const hardDeadline = setTimeout(() => {
        logger.error(messages.overdue);
        resolve(1);
      }, graceSeconds * 1000);
      service.stop().then(
        () => {
          clearTimeout(hardDeadline);
          logger.info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    // Every signal is handled: a repeat (a process-group signal also forwarded by a parent) must not
    // end the process mid-drain with the default action.
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
