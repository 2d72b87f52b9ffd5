// console-project processor: project the owner's marked workspaces, or (scope `full`) all of them and record the
// owner as reconciled. Idempotent: a repeat finds its marks taken or nothing changed, and appends nothing.
import type { z } from 'zod';
import type { consoleProjectJob } from '../queues/console-project.ts';
import { recordReconciled } from '../sql/console-marks.ts';
import { projectConsole, projectMarked } from '../sql/console-projection.ts';
import type { Db } from '../sql/transact.ts';

export function createConsoleProjectHandler(deps: { db: Db }) {
  return async (data: z.infer<typeof consoleProjectJob>) => {
    if (data.scope === 'marked') {
      const { workspaces, deltas } = await projectMarked(deps.db, data.owner_id);
      return { workspaces, deltas: deltas.length };
    }
    const deltas = await projectConsole(deps.db, data.owner_id);
    await recordReconciled(deps.db.sql, data.owner_id);
    return { deltas: deltas.length };
  };
}
