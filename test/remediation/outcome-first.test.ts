import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createPlaybook, linesOf, markedRun, scratchDir, shellPlaybook, waitForRun } from './support.ts';

let platform: TestPlatform;
let workdir: string;
beforeAll(async () => {
  workdir = await scratchDir('outcome-first-');
  platform = await startTestPlatform({ workers: ['remediation-execute'], env: { REMEDIATION_WORKDIR: workdir } });
  // Log inserts fail on cue: a `fail-once` line fails its batch the first time only (a sequence is not rolled back
  // with the failed transaction), a `fail-always` line every time.
  await platform.db.sql.unsafe(`
    CREATE SEQUENCE test_log_fault_seq;
    CREATE FUNCTION test_log_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.line = 'fail-always' OR (NEW.line = 'fail-once' AND nextval('test_log_fault_seq') = 1) THEN
        RAISE EXCEPTION 'injected log write failure';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_log_fault BEFORE INSERT ON runtime_vm_remediation_log_events FOR EACH ROW EXECUTE FUNCTION test_log_fault();`);
});
afterAll(() => platform.close());

type Run = { status: string; attempt: number };
const ledgerOf = (runId: number) =>
  platform.db.sql`SELECT attempt, status, log_lines_lost FROM runtime_vm_remediation_attempts WHERE run_id = ${runId} ORDER BY attempt`;
const logOf = async (runId: number) =>
  (await platform.db.sql<{ line: string }[]>`SELECT line FROM runtime_vm_remediation_log_events WHERE run_id = ${runId} AND stream = 'stdout' ORDER BY sequence`).map((row) => row.line);

async function runOnce(key: string, line: string) {
  // The playbook counts its executions in the run's marker file.
  const playbook = await createPlaybook(platform, shellPlaybook(key, `echo ran >> marker; echo ${line}; echo done`, { approval_required: true, retry_limit: 2 }));
  const run = await markedRun(platform, playbook.id, workdir);
  const done = await waitForRun<Run>(platform, run.id, (r) => r.status !== 'queued' && r.status !== 'running');
  return { run, done, executions: (await linesOf(run.marker)).length };
}

describe('an attempt whose log write fails', () => {
  it('keeps its outcome when one log insert fails: the batch is written again and the command ran once', async () => {
    const { run, done, executions } = await runOnce('log-fails-once', 'fail-once');
    expect(done).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(executions).toBe(1);
    expect(await ledgerOf(run.id)).toEqual([{ attempt: 1, status: 'succeeded', log_lines_lost: 0 }]);
    expect(await logOf(run.id)).toEqual(['fail-once', 'done']);
  });

  it('keeps its outcome when the log cannot be stored at all, and notes the lost lines on the attempt', async () => {
    const { run, done, executions } = await runOnce('log-always-fails', 'fail-always');
    expect(done).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(executions).toBe(1);
    const [attempt] = await platform.db.sql`SELECT status, log_lines_lost, log_write_error FROM runtime_vm_remediation_attempts WHERE run_id = ${run.id}`;
    expect(attempt).toMatchObject({ status: 'succeeded', log_write_error: 'injected log write failure' });
    // The failing line's whole batch is lost (how many lines it held depends on batch timing); nothing of it is stored.
    expect(attempt?.log_lines_lost).toBeGreaterThanOrEqual(1);
    expect(await logOf(run.id)).not.toContain('fail-always');
  });
});
