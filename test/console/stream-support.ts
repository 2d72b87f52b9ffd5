// Reading the console stream in tests: open it as a tenant, read up to an event, collect deltas until a change
// shows up, and check that versions chain.
import { expect } from 'vitest';
import type { TestPlatform } from '../support/platform.ts';
import { openSse, type SseEvent } from '../trust/sse-client.ts';

export type Reader = Awaited<ReturnType<typeof openSse>>;
export type Change = { field: string; current: unknown };
export type Delta = { workspace_id: number; workspace_key: string; version_from: number; version_to: number; analytics_changes: { id: number; changes: Change[] }[] };

export const openConsoleStream = async (platform: TestPlatform, owner: string, query = '', headers: Record<string, string> = {}) =>
  openSse(`${platform.url}/api/console/lifecycle/stream${query}`, await platform.token({ owner, roles: ['viewer'] }), headers);

/** Read events until one named `event` arrives; answers everything read. */
export async function readUntil(reader: Reader, event: string): Promise<SseEvent[]> {
  const seen: SseEvent[] = [];
  while (seen.at(-1)?.event !== event) seen.push(...(await reader.next(1)));
  return seen;
}

/** Deltas until one of them holds a change `found` accepts: each writer's commit is projected on its own. */
export async function deltasUntil(reader: Reader, found: (change: Change, runId: number) => boolean): Promise<{ id: number; delta: Delta }[]> {
  const seen: { id: number; delta: Delta }[] = [];
  const hit = () => seen.some(({ delta }) => delta.analytics_changes.some((item) => item.changes.some((change) => found(change, item.id))));
  while (!hit()) {
    for (const event of (await readUntil(reader, 'delta')).filter((item) => item.event === 'delta')) {
      for (const delta of (event.data.delta as { workspaces: Delta[] }).workspaces) seen.push({ id: event.id, delta });
    }
  }
  return seen;
}

/** Each delta starts at the version the one before it (or the snapshot) left. */
export function expectChained(from: number, deltas: { delta: Delta }[]): void {
  expect(deltas.map(({ delta }) => delta.version_from)).toEqual(deltas.map((_, index) => from + index));
  for (const { delta } of deltas) expect(delta.version_to).toBe(delta.version_from + 1);
}

export const snapshotOf = (events: SseEvent[]) => events.find((event) => event.event === 'snapshot')!.data.page as { workspaces: { workspace: { id: number; owner_id: string } }[]; versions: Record<string, number> };

