// A hostile tenant's shell playbook, run by a real worker process through the REST API, tries to read what the
// platform holds: the worker's environment, pid 1's, the secrets file, the database socket and port, other
// processes, its own environment; then leaves a setsid grandchild behind and is cancelled. Every try fails.
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marker, processesWith } from '../executors/context.ts';
import { createInstance, createPlaybook, enqueueRun, shellPlaybook, waitForRun } from '../remediation/support.ts';
import { startDispatchWorker } from '../remediation/worker-process.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const secretsFile = `/tmp/hostile-secrets-${process.pid}.json`;
const platformSecrets = { JWT_SECRET: 'hostile-test-jwt-secret-0123456789', SECRET_VALUE: 'tenant-a-cloud-token-9f8e7d' };

let platform: TestPlatform;
let worker: ResultPromise;
beforeAll(async () => {
  await writeFile(secretsFile, JSON.stringify({ acme: { cloud: platformSecrets.SECRET_VALUE } }), { mode: 0o600 });
  platform = await startTestPlatform({ workers: false });
  ({ child: worker } = await startDispatchWorker(platform, {
    REMEDIATION_WORKDIR: `/tmp/remediation-hostile-${process.pid}`,
    REMEDIATION_SECRETS_FILE: secretsFile,
    JWT_SECRET: platformSecrets.JWT_SECRET,
  }));
});
afterAll(async () => {
  worker.kill('SIGKILL');
  await platform.close();
  await rm(secretsFile, { force: true });
});

/** Each probe prints `DENIED <name>` when its command fails and `LEAK <name>: <what it read>` when it succeeds. */
const probes: Record<string, string> = {
  'worker-environ': 'cat /proc/$WORKER_PID/environ',
  'pid1-environ': "tr '\\0' '\\n' < /proc/1/environ | grep -E 'DATABASE_URL|JWT_SECRET|REMEDIATION_SECRETS_FILE|REDIS_URL'",
  'secrets-file': `cat ${secretsFile}`,
  'db-socket-var-run': 'test -e /var/run/postgresql/.s.PGSQL.5432',
  'db-socket-run': 'test -e /run/postgresql/.s.PGSQL.5432',
  'db-tcp': "python3 -c \"import socket; socket.create_connection(('127.0.0.1', 5432), 1)\"",
  'redis-tcp': "python3 -c \"import socket; socket.create_connection(('127.0.0.1', 6379), 1)\"",
  'other-processes': "ps -eo comm= | grep -E 'node|postgres|redis|vitest'",
  'proc-listing': 'ls /proc/$WORKER_PID',
  'own-env': "env | grep -E 'DATABASE_URL|JWT_SECRET|REDIS_URL|REMEDIATION_SECRETS_FILE|QUEUE_PREFIX|REMEDIATION_SECRET_'",
  'repository': `ls ${process.cwd()}/package.json`,
  'root-home': 'ls /root',
  'become-root': 'test "$(id -u)" = 0',
};
const script = Object.entries(probes)
  .map(([name, command]) => `if out=$( { ${command}; } 2>&1 ); then echo "LEAK ${name}: $out" | head -c 300; echo; else echo "DENIED ${name}"; fi`)
  .join('\n');

const logOf = async (runId: number): Promise<string> => {
  const artifacts = (await (await platform.api(`/api/trust/remediation/runs/${runId}/artifacts`)).json()).items as { name: string; content: string }[];
  return artifacts.find((artifact) => artifact.name === 'attempt-1.log')?.content ?? '';
};
const terminal = (run: { status: string }) => ['succeeded', 'failed', 'cancelled'].includes(run.status);

describe('a hostile tenant shell playbook', () => {
  it('can read none of the platform environment, secrets, sockets or processes', async () => {
    // The worker really holds what the playbook is after.
    const environ = readFileSync(`/proc/${worker.pid}/environ`, 'utf8');
    expect(environ).toContain(platformSecrets.JWT_SECRET);
    expect(environ).toContain('DATABASE_URL=');
    const playbook = await createPlaybook(platform, shellPlaybook('hostile', script, { plan: { command: '/bin/sh', args: ['-c', script], env: { WORKER_PID: String(worker.pid) } } }));
    const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
    expect((await waitForRun<{ status: string }>(platform, run.id, terminal)).status).toBe('succeeded');
    const log = await logOf(run.id);
    const verdicts = log.split('\n').flatMap((line) => /stdout ((DENIED|LEAK) [\w-]+.*)$/.exec(line)?.[1] ?? []);
    expect(verdicts).toEqual(Object.keys(probes).map((name) => `DENIED ${name}`));
    for (const value of [platformSecrets.JWT_SECRET, platformSecrets.SECRET_VALUE, platform.db.url]) expect(log).not.toContain(value);
  }, 30_000);

  it('leaves no process behind once cancelled, a setsid grandchild included', async () => {
    const tag = marker();
    const playbook = await createPlaybook(platform, shellPlaybook('hostile-linger', `setsid sleep ${tag} & sleep ${tag} & echo started; wait`));
    const run = await (await enqueueRun(platform, playbook.id, await createInstance(platform))).json();
    await waitForRun<{ status: string; log_sequence: number }>(platform, run.id, (r) => r.status === 'running' && r.log_sequence >= 2);
    expect(processesWith(`sleep\0${tag}`)).toHaveLength(2);
    const current = await (await platform.api(`/api/trust/remediation/runs/${run.id}`)).json();
    expect((await platform.api(`/api/trust/remediation/runs/${run.id}/cancel`, { method: 'POST', json: { version: current.version, reason: 'hostile' } })).status).toBe(202);
    expect((await waitForRun<{ status: string }>(platform, run.id, terminal)).status).toBe('cancelled');
    expect(processesWith(`sleep\0${tag}`)).toEqual([]);
    expect(await logOf(run.id)).toContain('stdout started');
  }, 30_000);
});
