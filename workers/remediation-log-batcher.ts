// Collects executor log lines and writes them a batch at a time (every `intervalMs` or `maxLines`), in order,
// so a chatty process costs one statement and one stream event per batch instead of per line.
import type { LogLine } from '../sql/remediation-logs.ts';

export interface LogBatcher {
  push(line: LogLine): void;
  /** Flush what is left and wait for every write; rethrows the first failed write. */
  close(): Promise<void>;
}

export function createLogBatcher(flush: (lines: LogLine[]) => Promise<void>, options: { maxLines: number; intervalMs: number }): LogBatcher {
  let buffer: LogLine[] = [];
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let failure: unknown;

  const drain = () => {
    clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    chain = chain.then(() => flush(batch)).catch((error: unknown) => {
      failure ??= error;
    });
  };

  return {
    push(line) {
      buffer.push(line);
      if (buffer.length >= options.maxLines) drain();
      else timer ??= setTimeout(drain, options.intervalMs);
    },
    async close() {
      drain();
      await chain;
      if (failure !== undefined) throw failure;
    },
  };
}
