// Last line of defence for the composition roots: an error nobody handled leaves the process in an unknown state,
// so it is logged and the process exits non-zero at once; the supervisor (systemd, a container runtime) restarts it.
import type { Logger } from 'pino';

export const EXIT_CRASH = 70; // EX_SOFTWARE from sysexits.h

export function exitOnUnhandled(logger: Logger): void {
  const crash = (kind: string) => (error: unknown) => {
    // pino writes synchronously to stdout by default, so the line is out before the exit.
    logger.fatal({ err: error, kind }, 'unhandled error: exiting so the supervisor restarts the process');
    process.exit(EXIT_CRASH);
  };
  process.on('uncaughtException', crash('uncaughtException'));
  process.on('unhandledRejection', crash('unhandledRejection'));
}
