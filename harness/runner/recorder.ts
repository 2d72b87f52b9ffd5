// Writes a scenario's history.jsonl and sse-transcript.jsonl as things happen (one appended line each, so a
// crash leaves what was recorded so far), and turns API answers into history entries.
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHistoryBuilder, type HistoryBuilder } from '../history-builder.ts';
import type { OpKind, TranscriptEntry } from '../history.ts';
import type { Answer } from './client.ts';

export interface Recorder {
  history: HistoryBuilder;
  historyFile: string;
  transcriptFile: string;
  now(): number;
  transcript(entry: Omit<TranscriptEntry, 'scenario' | 'time'>): void;
  /** Records `call` as an operation: 2xx ok (with `pick` of the body), other statuses fail, a thrown error info. */
  call(tenant: string, f: OpKind, value: Record<string, unknown>, call: () => Promise<Answer>, pick?: (body: Answer['body']) => Record<string, unknown>): Promise<Answer | undefined>;
}

/** The problem fields a checker reads from a refusal. */
const refusal = (answer: Answer) => {
  const body = typeof answer.body === 'object' && answer.body !== null ? answer.body : {};
  return { status: answer.status, code: body.code, current_version: body.current_version, active_run_id: body.active_run_id };
};

export function createRecorder(dir: string, scenario: string): Recorder {
  const historyFile = path.join(dir, 'history.jsonl');
  const transcriptFile = path.join(dir, 'sse-transcript.jsonl');
  writeFileSync(historyFile, '');
  writeFileSync(transcriptFile, '');
  const started = performance.now();
  const now = () => Math.round((performance.now() - started) * 1000) / 1000;
  const history = createHistoryBuilder(scenario, { clock: now, onEntry: (entry) => appendFileSync(historyFile, `${JSON.stringify(entry)}\n`) });
  return {
    history,
    historyFile,
    transcriptFile,
    now,
    transcript(entry) {
      appendFileSync(transcriptFile, `${JSON.stringify({ scenario, time: now(), ...entry })}\n`);
    },
    async call(tenant, f, value, call, pick = () => ({})) {
      const done = history.invoke(tenant, f, value);
      try {
        const answer = await call();
        if (answer.status >= 200 && answer.status < 300) done('ok', { status: answer.status, ...pick(answer.body) });
        else done('fail', refusal(answer));
        return answer;
      } catch (error) {
        done('info', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
        return undefined;
      }
    },
  };
}
