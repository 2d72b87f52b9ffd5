// bench:trust's load generator, in its own process so its HTTP clients do not share a core's time with the API:
// POSTs attestations (closed loop at a number in flight, or open loop at a fixed rate; one report per request or
// a batch), reads the trust stream,
// and prints one JSON line: the POST rate and every POST→SSE latency, matched by evidence digest.
// POSTs go through node:http on kept-alive sockets: undici's fetch costs several times the CPU per request, CPU
// the API and Postgres need on the same two cores (a fleet's verifiers do not run on the control plane's node).
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { readSseFrames } from '../cli/sse-frames.ts';
import type { AttestationReport } from '../core/schemas/trust.ts';
import { evidenceDigest } from '../http/routes/trust-attestations.ts';

interface LoadSpec {
  base: string;
  token: string;
  vms: number[];
  count: number;
  /** Closed loop: this many POSTs in flight. */
  inFlight?: number;
  /** Open loop: reports started at this rate per second, whatever the answers. */
  rate?: number;
  /** Reports per request: 1 posts to /api/trust/attestations, more to /api/trust/attestations/batch. */
  batch?: number;
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
    // By evidence digest: an out-of-order step carries the newer evidence's provenance, never its own.
    const digest = frame.data.evidence_digest as string | undefined;
    const t0 = digest === undefined ? undefined : started.get(digest);
    if (t0 === undefined) continue;
    started.delete(digest!);
    latencies.push(performance.now() - t0);
    if (latencies.length >= spec.count - failures) resolveAll();
  }
})().catch((error: unknown) => {
  if (!controller.signal.aborted) throw error;
});

const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
const batch = spec.batch ?? 1;
const target = new URL(batch > 1 ? '/api/trust/attestations/batch' : '/api/trust/attestations', spec.base);

function postJson(payload: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(target, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Every request of the run, built before the clock starts: bodies and digests cost the generator nothing timed. */
interface Prepared {
  payload: string;
  digests: string[];
}

function prepare(): Prepared[] {
  const requests: Prepared[] = [];
  for (let first = 0; first < spec.count; first += batch) {
    const reports: AttestationReport[] = Array.from({ length: Math.min(batch, spec.count - first) }, (_, index) => ({
      vm_instance_id: spec.vms[(first + index) % spec.vms.length]!,
      status: 'trusted',
      evidence: { measurements: { pcr0: 'aa11', pcr1: 'bb22' }, nonce: randomBytes(12).toString('hex'), observed_at: new Date().toISOString() },
      provenance: { verifier: 'bench' },
    }));
    requests.push({ payload: JSON.stringify(batch > 1 ? { reports } : reports[0]), digests: reports.map(evidenceDigest) });
  }
  return requests;
}

async function post(prepared: Prepared): Promise<void> {
  // Keyed before the POST: the SSE event may arrive before the 202 has been read.
  const sent = performance.now();
  for (const digest of prepared.digests) started.set(digest, sent);
  const answer = await postJson(prepared.payload);
  const refused = answer.status !== 202 ? prepared.digests.length : batch > 1 ? (JSON.parse(answer.body) as { refused: number }).refused : 0;
  if (refused > 0) {
    failures += refused;
    process.stderr.write(`POST answered ${answer.status} (${refused} refused)\n`);
    if (latencies.length >= spec.count - failures) resolveAll();
  }
}

const requests = prepare();
let next = 0;
const cpuAtStart = process.cpuUsage();
const t0 = performance.now();
if (spec.rate !== undefined) {
  // Open loop: requests started at rate / batch per second, whatever the answers.
  const pending: Promise<void>[] = [];
  for (; next < requests.length; next++) {
    const due = t0 + (next * 1000 * batch) / spec.rate;
    const wait = due - performance.now();
    if (wait > 1) await delay(wait);
    pending.push(post(requests[next]!));
  }
  await Promise.all(pending);
} else {
  // Closed loop: inFlight reports outstanding, in inFlight / batch requests.
  await Promise.all(Array.from({ length: Math.max(1, Math.round((spec.inFlight ?? 64) / batch)) }, async () => {
    while (next < requests.length) await post(requests[next++]!);
  }));
}
const postSeconds = (performance.now() - t0) / 1000;
await allDelivered;
const seconds = (performance.now() - t0) / 1000;
controller.abort();
const cpu = process.cpuUsage(cpuAtStart);
process.stdout.write(`${JSON.stringify({ seconds, post_seconds: postSeconds, failures, latencies, cpu_ms: (cpu.user + cpu.system) / 1000 })}\n`);
process.exit(0);
