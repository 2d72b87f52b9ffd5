// score-recompute processor: recompute a server's capability intelligence score from its current trust posture.
import type { z } from 'zod';
import { scorePosture } from '../core/scoring.ts';
import type { scoreRecomputeJob } from '../queues/score-recompute.ts';
import type { Sql } from '../sql/db.ts';
import { listServerPosture, lockServerPosture, upsertIntelligenceScore } from '../sql/intelligence-scores.ts';

export function createScoreRecomputeHandler(deps: { sql: Sql }) {
  return async (data: z.infer<typeof scoreRecomputeJob>) => {
    const { score, row } = await deps.sql.begin(async (tx) => {
      await lockServerPosture(tx, data.server_id);
      const computed = scorePosture(await listServerPosture(tx, data.owner_id, data.server_id), new Date());
      return { score: computed, row: await upsertIntelligenceScore(tx, { ownerId: data.owner_id, serverId: data.server_id, score: computed }) };
    });
    return { score: score.score, stored: row !== undefined };
  };
}
