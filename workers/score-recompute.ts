// score-recompute processor: recompute a server's capability intelligence score from its current trust posture.
import type { z } from 'zod';
import { scorePosture } from '../core/scoring.ts';
import type { scoreRecomputeJob } from '../queues/score-recompute.ts';
import type { Sql } from '../sql/db.ts';
import { listServerPosture, upsertIntelligenceScore } from '../sql/intelligence-scores.ts';

export function createScoreRecomputeHandler(deps: { sql: Sql }) {
  return async (data: z.infer<typeof scoreRecomputeJob>) => {
    const score = scorePosture(await listServerPosture(deps.sql, data.owner_id, data.server_id), new Date());
    const row = await upsertIntelligenceScore(deps.sql, { ownerId: data.owner_id, serverId: data.server_id, score });
    return { score: score.score, stored: row !== undefined };
  };
}
