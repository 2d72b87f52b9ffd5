// Stream order: each watched run's transcript (the frames `mcpctl remediation watch --json` printed, across its
// reconnects) has ids strictly increasing, none repeated, and none missing against the server's own log of that run
// (read afresh from the stream after the run ended); every status frame carries the scenario's manifest tags.
import { pairOps, type TranscriptEntry } from '../history.ts';
import { fail, pass, unknown, type Checker } from './verdict.ts';

const framesOf = (transcript: TranscriptEntry[], tenant: string, runId: number) =>
  transcript
    .filter((entry) => entry.tenant === tenant && entry.run_id === runId)
    .map((entry) => entry.line as Record<string, unknown>)
    .filter((line) => typeof line.id === 'number');

function firstDifference(seen: number[], expected: number[]): string | undefined {
  const missing = expected.filter((id) => !seen.includes(id));
  if (missing.length > 0) return `missing ${missing.slice(0, 5).join(',')}`;
  const extra = seen.filter((id) => !expected.includes(id));
  if (extra.length > 0) return `not in the server's log: ${extra.slice(0, 5).join(',')}`;
  return undefined;
}

export const streamOrder: Checker = {
  name: 'stream-order',
  kinds: ['watch'],
  check({ history, transcript }) {
    const logs = pairOps(history).filter((op) => op.invoke.f === 'server-log' && op.done?.type === 'ok');
    if (logs.length === 0) return unknown("no server log of a watched run was read");
    let frames = 0;
    for (const { invoke, done } of logs) {
      const runId = Number(invoke.value.run_id);
      const seenFrames = framesOf(transcript, invoke.tenant, runId);
      const seen = seenFrames.map((frame) => Number(frame.id));
      if (seen.length === 0) return unknown(`no frame of run ${runId} was captured`);
      frames += seen.length;
      for (let i = 1; i < seen.length; i++) {
        if (seen[i]! === seen[i - 1]!) return fail(`run ${runId}: event ${seen[i]} delivered twice`);
        if (seen[i]! < seen[i - 1]!) return fail(`run ${runId}: event ${seen[i]} after ${seen[i - 1]}`);
      }
      const last = seen.at(-1)!;
      const expected = (done?.value.ids as number[]).filter((id) => id <= last);
      const difference = firstDifference(seen, expected);
      if (difference) return fail(`run ${runId}: ${difference}`);
      const tags = (invoke.value.manifest_tags as string[] | undefined) ?? [];
      const untagged = seenFrames.find((frame) => String(frame.event).startsWith('run.') && !tags.every((tag) => (frame.manifest_tags as string[] | undefined)?.includes(tag)));
      if (untagged) return fail(`run ${runId}: ${String(untagged.event)} (event ${String(untagged.id)}) lacks manifest tags ${tags.join(',')}`);
    }
    const reconnects = transcript.filter((entry) => 'notice' in entry.line && String(entry.line.notice).startsWith('stream reconnected')).length;
    return pass(`${logs.length} runs, ${frames} events in order against the server's log, ${reconnects} reconnects`);
  },
};
