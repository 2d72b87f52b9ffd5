// score-recompute processor: recompute a server's capability intelligence score from its current trust posture.
import type { z } from 'zod';
import { scorePosture } from '../core/scoring.ts';
import type { scoreRecomputeJob } from '../queues/score-recompute.ts';
import { listServerPosture, lockServerPosture, upsertIntelligenceScore } from '../sql/intelligence-scores.ts';
import { transact, type Db } from '../sql/transact.ts';

export function createScoreRecomputeHandler(deps: { db: Db }) {
  return async (data: z.infer<typeof scoreRecomputeJob>) => {
    const { score, row } = await transact(deps.db, async (uow) => {
      const { tx } = uow;
      await lockServerPosture(tx, data.server_id);
      const computed = scorePosture(await listServerPosture(tx, data.owner_id, data.server_id), new Date());
      const stored = await upsertIntelligenceScore(tx, { ownerId: data.owner_id, serverId: data.server_id, score: computed });
      // Scores emit no stream event: the console shows them on the server's runs, so mark the server.
      if (stored !== undefined) uow.mark([{ owner_id: data.owner_id, kind: 'server', subject_id: data.server_id }]);
      return { score: computed, row: stored };
    });
    return { score: score.score, stored: row !== undefined };
  };
}
