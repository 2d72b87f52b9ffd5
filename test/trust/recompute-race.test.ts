import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scorePosture } from '../../core/scoring.ts';
import { findIntelligenceScore, listServerPosture } from '../../sql/intelligence-scores.ts';
import { createDb } from '../../sql/transact.ts';
import { applyTrustEvent } from '../../sql/trust-registry.ts';
import { createScoreRecomputeHandler } from '../../workers/score-recompute.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { until } from './sse-client.ts';
import { seedInstance } from './fixtures.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const move = (vmInstanceId: number, target: 'quarantined' | 'remediating') =>
  db.transact((uow) => applyTrustEvent(uow, { ownerId: 'acme', vmInstanceId, event: { kind: 'operator', target }, actor: 't' }));

describe('score recompute', () => {
  it('never lets a job that read an older posture overwrite the score of a newer one', async () => {
    const { serverId, vmInstanceId } = await seedInstance(db.sql);
    await move(vmInstanceId, 'quarantined');
    const recompute = createScoreRecomputeHandler({ db: createDb(db.sql) });
    const data = { server_id: serverId, owner_id: 'acme', reason: 'test' };
    // Another recompute of this server is mid-flight (holds the server's posture lock) while this job starts.
    let release: () => void = () => {};
    let locked: () => void = () => {};
    const holds = new Promise<void>((resolve) => (locked = resolve));
    const holding = db.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtextextended('server-posture:' || ${serverId}::text, 0))`;
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await holds; // the job must find the lock taken, not take it first
    let finished = false;
    const job = recompute(data).finally(() => (finished = true));
    await until(async () => finished || (await db.sql`SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted`).length > 0);
    await move(vmInstanceId, 'remediating'); // the newer posture commits while the job waits
    release();
    await holding;
    await job;
    const expected = scorePosture(await listServerPosture(db.sql, 'acme', serverId), new Date()).score;
    expect(Number((await findIntelligenceScore(db.sql, 'acme', serverId))?.score)).toBe(expected);
  });
});
