// `mcpctl remediation watch --run-id N --json`, the real CLI in its own process, following one run until it ends
// (reconnecting on its own when the stream drops); each line it prints goes into the SSE transcript, and so do its
// stderr notices (dropped / reconnected). Afterwards the server's own log of the run is read afresh from the stream,
// for the stream-order checker to compare against.
import path from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { createSseParser } from '../../cli/sse-frames.ts';
import { repoRoot } from '../platform/platform.ts';
import { operator } from './client.ts';
import type { ScenarioContext } from './context.ts';

const finalEvents = new Set(['run.succeeded', 'run.failed', 'run.cancelled', 'run.denied', 'run.expired']);

export async function startWatch(ctx: ScenarioContext, tenant: string, run: { id: number }): Promise<void> {
  const done = ctx.recorder.history.invoke(tenant, 'watch', { run_id: run.id, manifest_tags: ctx.scenario.expect.manifest_tags });
  const env = { MCPCTL_API_URL: ctx.client.url, MCPCTL_TOKEN: await ctx.client.token(operator(tenant)), PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const child = execa(process.execPath, [path.join(repoRoot, 'bin', 'mcpctl.js'), 'remediation', 'watch', '--run-id', String(run.id), '--json', '--retry-ms', '200'], { env, extendEnv: false, reject: false, cwd: repoRoot, timeout: Math.max(1_000, ctx.deadline - Date.now()) });
  const lines = (stream: NodeJS.ReadableStream, take: (line: string) => void) => new Promise<void>((resolve) => createInterface({ input: stream }).on('line', take).on('close', resolve));
  // The step returns once the CLI is following (its first line, the run's current state, comes after it connected),
  // so what the scenario does next happens on the stream it watches.
  let following = () => {};
  const connected = new Promise<void>((resolve) => (following = resolve));
  const stdout = lines(child.stdout!, (line) => {
    following();
    try {
      ctx.recorder.transcript({ tenant, run_id: run.id, line: JSON.parse(line) as Record<string, unknown> });
    } catch {
      ctx.recorder.transcript({ tenant, run_id: run.id, line: { notice: `unparsable output: ${line.slice(0, 200)}` } });
    }
  });
  const stderr = lines(child.stderr!, (line) => ctx.recorder.transcript({ tenant, run_id: run.id, line: { notice: line } }));
  ctx.watches.push(
    (async () => {
      const result = await child;
      following();
      await Promise.all([stdout, stderr]);
      if (result.exitCode === 0) done('ok', { exit_code: 0 });
      else done(result.timedOut ? 'info' : 'fail', { exit_code: result.exitCode ?? null, timed_out: result.timedOut });
      await readServerLog(ctx, tenant, run.id);
    })(),
  );
  await connected;
}

/** The run's events as the server keeps them: a fresh stream from the run's start, read up to its final event. */
async function readServerLog(ctx: ScenarioContext, tenant: string, runId: number): Promise<void> {
  await ctx.recorder.call(tenant, 'server-log', { run_id: runId, manifest_tags: ctx.scenario.expect.manifest_tags }, async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 15_000);
    try {
      const response = await fetch(`${ctx.client.url}/api/trust/remediation/stream?run_id=${runId}`, { headers: { authorization: `Bearer ${await ctx.client.token(operator(tenant))}` }, signal: controller.signal });
      if (response.status !== 200 || !response.body) return { status: response.status, body: await response.text() };
      const ids: number[] = [];
      const parse = createSseParser();
      const decoder = new TextDecoder();
      let ended = false;
      for await (const chunk of response.body) {
        for (const frame of parse(decoder.decode(chunk as Uint8Array, { stream: true }))) {
          ids.push(Number(frame.id));
          ended ||= finalEvents.has(frame.event);
        }
        if (ended) break; // leaving the loop cancels the body: the server sees the client go
      }
      return ended ? { status: 200, body: { ids } } : { status: 599, body: { ids, error: 'the stream ended before the run did' } };
    } finally {
      clearTimeout(timer);
    }
  }, (body) => ({ ids: body.ids }));
}
