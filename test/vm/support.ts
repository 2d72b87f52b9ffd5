// Helpers for the VM tests: bounded polling of the API and a minimal SSE reader.
import pino from 'pino';
import { loadLibvirtBinding } from '../../executors/vm/libvirt-binding.ts';
import { createCredentialStore } from '../../executors/vm/libvirt-credentials.ts';
import { createLibvirtProvisioner, type LibvirtProvisioner } from '../../executors/vm/libvirt-provisioner.ts';
import { createVmLaunchHandler } from '../../workers/vm-launch.ts';
import { waitFor as waitForShared } from '../support/wait.ts';
import { startTestPlatform, type ApiResponse, type TestPlatform } from '../support/platform.ts';
import { startFakeHypervisor, type FakeHypervisor } from './fake-hypervisor.ts';
import { createTestDriver } from './test-driver.ts';

/** Poll `read` until `done` holds, for at most `timeoutMs` (there is no event to await for a job's DB effects). */
export const waitFor = <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> =>
  waitForShared(read, done, { timeoutMs, intervalMs: 100 });

export const vmView = async (platform: TestPlatform, id: number, as?: { owner: string }) =>
  (await platform.api(`/api/servers/${id}/vm`, as ? { as } : {})).json();

export interface SseEvent {
  id?: string;
  event?: string;
  data: unknown;
}

/** Read SSE events from a response until `count` arrived. */
export async function readEvents(response: ApiResponse | Response, count: number): Promise<SseEvent[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let split = buffer.indexOf('\n\n');
    while (split >= 0) {
      const frame = buffer.slice(0, split);
      buffer = buffer.slice(split + 2);
      split = buffer.indexOf('\n\n');
      const fields = Object.fromEntries(frame.split('\n').filter((line) => !line.startsWith(':') && line.includes(': ')).map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]));
      if (fields.data !== undefined) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
    }
  }
  await reader.cancel();
  return events;
}

/** The platform on the legacy HTTP driver against a fake hypervisor, hosting the vm-launch and sse-fanout workers. */
export async function startHttpDriverPlatform(): Promise<{ fake: FakeHypervisor; platform: TestPlatform; close(): Promise<void> }> {
  const fake = await startFakeHypervisor();
  const platform = await startTestPlatform({
    workers: ['vm-launch', 'sse-fanout'],
    env: { VM_PROVISIONER_DRIVER: 'http', VM_HTTP_PROVISIONER_URL: fake.url, VM_HTTP_PROVISIONER_TIMEOUT_MS: '2000' },
  });
  return {
    fake,
    platform,
    async close() {
      await platform.close();
      await fake.close();
    },
  };
}

/**
 * The vm-launch processor driven directly, in this process, against libvirt's in-process test driver, so a test
 * sees the same libvirt the job used.
 */
export async function startLibvirtLaunchHarness(): Promise<{
  platform: TestPlatform;
  provisioner: LibvirtProvisioner;
  run: ReturnType<typeof createVmLaunchHandler>;
  close(): Promise<void>;
}> {
  const driver = await createTestDriver();
  const platform = await startTestPlatform({ workers: false });
  const config = driver.config();
  const provisioner = createLibvirtProvisioner(await loadLibvirtBinding(), config, await createCredentialStore(config.LIBVIRT_CONNECTION_URI, {}));
  const run = createVmLaunchHandler({ sql: platform.db.sql, db: platform.clients.db, config: { ...platform.config, ...config }, provisioner, logger: pino({ level: 'silent' }) });
  return {
    platform,
    provisioner,
    run,
    async close() {
      await provisioner.close();
      await platform.close();
      await driver.cleanup();
    },
  };
}
