// bench:trust's load generator, in its own process so its HTTP clients do not share a core's time with the API:
// POSTs attestations (closed loop at a number in flight, or open loop at a fixed rate), reads the trust stream,
// and prints one JSON line: the POST rate and every POST→SSE latency, matched by a per-POST report_reference.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { readSseFrames } from '../cli/sse-frames.ts';

interface LoadSpec {
  base: string;
  token: string;
  vms: number[];
  count: number;
  /** Closed loop: this many POSTs in flight. */
  inFlight?: number;
  /** Open loop: POSTs started at this rate per second, whatever the answers. */
  rate?: number;
}

const spec = JSON.parse(process.env.BENCH_LOAD ?? '{}') as LoadSpec;
const headers = { authorization: `Bearer ${spec.token}` };
const started = new Map<string, number>();
let failures = 0;
const latencies: number[] = [];
let resolveAll: () => void = () => {};
const allDelivered = new Promise<void>((resolve) => (resolveAll = resolve));

const controller = new AbortController();
const stream = await fetch(`${spec.base}/api/trust/registry/stream`, { headers: { ...headers, accept: 'text/event-stream' }, signal: controller.signal });
void (async () => {
  for await (const frame of readSseFrames(stream)) {
    const reference = (frame.data.provenance as { report_reference?: string } | undefined)?.report_reference;
    const t0 = reference === undefined ? undefined : started.get(reference);
    if (t0 === undefined) continue;
    started.delete(reference!);
    latencies.push(performance.now() - t0);
    if (latencies.length >= spec.count - failures) resolveAll();
  }
})().catch((error: unknown) => {
  if (!controller.signal.aborted) throw error;
});

async function post(vm: number): Promise<void> {
  const reference = `bench-${randomBytes(8).toString('hex')}`;
  const body = {
    vm_instance_id: vm,
    evidence: { measurements: { pcr0: 'aa11', pcr1: 'bb22' }, nonce: randomBytes(12).toString('hex'), observed_at: new Date().toISOString() },
    provenance: { verifier: 'bench', report_reference: reference },
  };
  // Keyed before the POST: the SSE event may arrive before the 202 has been read.
  started.set(reference, performance.now());
  const response = await fetch(`${spec.base}/api/trust/attestations`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  if (response.status !== 202) {
    failures++;
    process.stderr.write(`POST answered ${response.status}\n`);
    if (latencies.length >= spec.count - failures) resolveAll();
  }
}

const t0 = performance.now();
let next = 0;
if (spec.rate !== undefined) {
  const pending: Promise<void>[] = [];
  for (; next < spec.count; next++) {
    const due = t0 + (next * 1000) / spec.rate;
    const wait = due - performance.now();
    if (wait > 1) await delay(wait);
    pending.push(post(spec.vms[next % spec.vms.length]!));
  }
  await Promise.all(pending);
} else {
  await Promise.all(Array.from({ length: spec.inFlight ?? 64 }, async () => {
    while (next < spec.count) await post(spec.vms[next++ % spec.vms.length]!);
  }));
}
const postSeconds = (performance.now() - t0) / 1000;
await allDelivered;
const seconds = (performance.now() - t0) / 1000;
controller.abort();
process.stdout.write(`${JSON.stringify({ seconds, post_seconds: postSeconds, failures, latencies })}\n`);
process.exit(0);
