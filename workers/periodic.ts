// A sweep that runs once at once (the restart case) and then every `sweepMs`, never two at a time; failures are
// logged and the next tick tries again.
import type { Logger } from 'pino';

export interface Periodic {
  stop(): Promise<void>;
}

export function startPeriodic(deps: { logger: Logger; sweepMs: number; what: string }, sweep: () => Promise<void>): Periodic {
  let running: Promise<unknown> | undefined;
  const run = () => {
    if (running) return;
    running = sweep()
      .catch((error: unknown) => deps.logger.error({ err: error }, `${deps.what} failed`))
      .finally(() => {
        running = undefined;
      });
  };
  run();
  const timer = setInterval(run, deps.sweepMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
