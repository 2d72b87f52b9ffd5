// runtime_vm_remediation_log_events: log lines with per-run sequence numbers, written a batch at a time
// (one statement reserves the sequence range and inserts the lines).
import type { Queryable } from './db.ts';

export interface LogLine {
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
  at: Date;
}

export interface StoredLogLine {
  sequence: number;
  stream: LogLine['stream'];
  line: string;
  at: string;
}

const MAX_LINE = 8_192;
// Postgres text cannot hold NUL; a line longer than MAX_LINE is cut, not dropped.
const clean = (line: string) => line.split(String.fromCharCode(0)).join('\uFFFD').slice(0, MAX_LINE);

export async function appendRunLogs(sql: Queryable, runId: number, attempt: number, lines: LogLine[]): Promise<StoredLogLine[]> {
  if (lines.length === 0) return [];
  const rows = await sql<{ sequence: number; stream: LogLine['stream']; line: string; created_at: Date }[]>`
    WITH seq AS (
      UPDATE runtime_vm_remediation_runs SET log_sequence = log_sequence + ${lines.length}
      WHERE id = ${runId} RETURNING log_sequence - ${lines.length} AS base
    )
    INSERT INTO runtime_vm_remediation_log_events (run_id, sequence, attempt, stream, line, created_at)
    SELECT ${runId}, seq.base + l.ord, ${attempt}, l.stream, l.line, l.at
    FROM seq, unnest(${sql.array(lines.map((l) => l.stream))}::text[], ${sql.array(lines.map((l) => clean(l.line)))}::text[],
                     ${sql.array(lines.map((l) => l.at.toISOString()))}::timestamptz[]) WITH ORDINALITY AS l(stream, line, at, ord)
    RETURNING sequence, stream, line, created_at`;
  return rows
    .map((row) => ({ sequence: row.sequence, stream: row.stream, line: row.line, at: row.created_at.toISOString() }))
    .sort((a, b) => a.sequence - b.sequence);
}

/** The attempt's log as one text document (the log-bundle artifact). */
export async function readAttemptLog(sql: Queryable, runId: number, attempt: number): Promise<string> {
  const rows = await sql<{ sequence: number; stream: string; line: string; created_at: Date }[]>`
    SELECT sequence, stream, line, created_at FROM runtime_vm_remediation_log_events
    WHERE run_id = ${runId} AND attempt = ${attempt} ORDER BY sequence`;
  return rows.map((row) => `${row.created_at.toISOString()} ${row.stream} ${row.line}`).join('\n') + (rows.length > 0 ? '\n' : '');
}
