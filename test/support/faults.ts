// Faults injected into a test's own database: a trigger makes the chosen appends to stream_events (of one topic or
// all, counted from 1) fail as a serialization failure, the transient error Postgres itself raises under contention.
import type { Sql } from '../../sql/db.ts';

export async function failStreamAppends(sql: Sql, options: { topic?: string; failing: number[] }): Promise<() => Promise<void>> {
  await sql`CREATE SEQUENCE IF NOT EXISTS test_stream_fault_seq`;
  await sql.unsafe(`
    CREATE OR REPLACE FUNCTION test_stream_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- nextval is not rolled back with the failed transaction, so the retry draws the next number and succeeds.
      IF nextval('test_stream_fault_seq') = ANY('{${options.failing.map(Number).join(',')}}'::bigint[]) THEN
        RAISE EXCEPTION 'injected transient failure on the stream append' USING ERRCODE = '40001';
      END IF;
      RETURN NEW;
    END $$`);
  const only = options.topic === undefined ? '' : `WHEN (NEW.topic = '${options.topic.replace(/[^a-z-]/g, '')}')`;
  await sql.unsafe(`CREATE TRIGGER test_stream_fault BEFORE INSERT ON stream_events FOR EACH ROW ${only} EXECUTE FUNCTION test_stream_fault()`);
  return async () => {
    await sql`DROP TRIGGER IF EXISTS test_stream_fault ON stream_events`;
  };
}

/** How many appended rows the trigger has seen so far (failed ones included). */
export async function appendsSeen(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`SELECT CASE WHEN is_called THEN last_value ELSE 0 END::int AS n FROM test_stream_fault_seq`;
  return row?.n ?? 0;
}
