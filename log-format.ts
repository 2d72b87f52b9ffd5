// Where log lines go: JSON on stdout (what log shippers read), or pino-pretty's human-readable lines when
// LOG_FORMAT=pretty, or LOG_FORMAT=auto on a TTY outside production.
import { createRequire } from 'node:module';
import type { DestinationStream } from 'pino';
import type { Config } from './core/config.ts';

export function wantsPretty(config: Pick<Config, 'LOG_FORMAT' | 'NODE_ENV'>, isTty = Boolean(process.stdout.isTTY)): boolean {
  if (config.LOG_FORMAT !== 'auto') return config.LOG_FORMAT === 'pretty';
  return isTty && config.NODE_ENV !== 'production';
}

/** pino-pretty as a synchronous stream (lines are out before an exit); JSON when it is not installed. */
export function prettyDestination(colorize = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined): DestinationStream | undefined {
  try {
    const pretty = createRequire(import.meta.url)('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
    return pretty({ colorize, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  } catch {
    return undefined;
  }
}
