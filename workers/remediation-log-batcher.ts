// Collects executor log lines and writes them a batch at a time (every `intervalMs` or `maxLines`), in order,
// so a chatty process costs one statement and one stream event per batch instead of per line. A failed batch is
// written once more; what still fails is counted, not thrown: the attempt's outcome must not depend on its logs.
import type { LogLine } from '../sql/remediation-logs.ts';

/** Log lines that could not be stored, and the first error that lost them. */
export interface LogLoss {
  lines: number;
  error: unknown;
}

export interface LogBatcher {
  push(line: LogLine): void;
  /** Flush what is left and wait for every write; answers what was lost (undefined when nothing was). Never throws. */
  close(): Promise<LogLoss | undefined>;
}

export function createLogBatcher(
  flush: (lines: LogLine[]) => Promise<void>,
  options: { maxLines: number; intervalMs: number; onLoss?: (error: unknown) => void },
): LogBatcher {
  let buffer: LogLine[] = [];
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let loss: LogLoss | undefined;

  const drain = () => {
    clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    // A failed transaction wrote nothing, so writing the same batch again cannot duplicate lines.
    chain = chain.then(() => flush(batch).catch(() => flush(batch))).catch((error: unknown) => {
      loss = { lines: (loss?.lines ?? 0) + batch.length, error: loss?.error ?? error };
      options.onLoss?.(error);
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
      return loss;
    },
  };
}
