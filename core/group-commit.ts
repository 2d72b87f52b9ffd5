// Group commit: concurrent callers' items share one flush (one transaction) instead of one each. The first item
// flushes at once; items that arrive while a flush is in flight wait for it and go together in the next one, so
// a light load pays no added latency and a heavy one fills the groups by itself. A flush answers per item: one
// item's failure (a missing instance, say) is that caller's error alone; a failed flush fails its whole group.

/** What a flush says of one item, in the order it was given. */
export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface GroupCommitOptions {
  /** Most items per flush. */
  maxGroup: number;
  /** Flushes in flight at once; beyond the first, only for full groups (a backlog). */
  maxInFlight: number;
}

export interface GroupCommit<I, O> {
  submit(item: I): Promise<O>;
  /** Many items from one caller: queued together (they fill groups in order), answered per item. */
  submitMany(items: I[]): Promise<ItemResult<O>[]>;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export function createGroupCommit<I, O>(flush: (items: I[]) => Promise<ItemResult<O>[]>, options: GroupCommitOptions): GroupCommit<I, O> {
  const pending: Waiting<I, O>[] = [];
  const running = new Set<Promise<void>>();

  function start(): void {
    while (pending.length > 0 && (running.size === 0 || (running.size < options.maxInFlight && pending.length >= options.maxGroup))) {
      const group = pending.splice(0, options.maxGroup);
      const run = runGroup(group).finally(() => {
        running.delete(run);
        start();
      });
      running.add(run);
    }
  }

  async function runGroup(group: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await flush(group.map((waiting) => waiting.item));
      for (const [index, waiting] of group.entries()) {
        const result = results[index];
        if (result === undefined) waiting.reject(new Error(`group flush answered ${results.length} results for ${group.length} items`));
        else if (result.ok) waiting.resolve(result.value);
        else waiting.reject(result.error);
      }
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
    }
  }

  const queued = (item: I) => new Promise<O>((resolve, reject) => pending.push({ item, resolve, reject }));

  return {
    submit(item) {
      const answer = queued(item);
      start();
      return answer;
    },
    async submitMany(items) {
      const answers = items.map(queued);
      start();
      const settled = await Promise.allSettled(answers);
      return settled.map((result) => (result.status === 'fulfilled' ? { ok: true, value: result.value } : { ok: false, error: result.reason as unknown }));
    },
  };
}
