// The `data` of each event the lifecycle console stream sends (docs/console.md has the client rules).
import { z } from 'zod';
import { consoleEntry } from './console.ts';

const fieldChange = z.object({ field: z.string(), previous: z.unknown(), current: z.unknown() });
const itemDelta = z.object({ id: z.number().int(), changes: z.array(fieldChange) });

export const workspaceDelta = z
  .object({
    workspace_id: z.number().int(),
    workspace_key: z.string(),
    version_from: z.number().int(),
    version_to: z.number().int(),
    removed: z.boolean(),
    workspace_changes: z.array(fieldChange),
    promotion_run_deltas: z.array(itemDelta),
    removed_promotion_run_ids: z.array(z.number().int()),
    promotion_posture_deltas: z.array(itemDelta),
    removed_promotion_ids: z.array(z.number().int()),
    analytics_changes: z.array(itemDelta),
    artifact_changes: z.array(itemDelta),
    removed_run_ids: z.array(z.number().int()),
  })
  .meta({ id: 'LifecycleWorkspaceDelta' });

const envelope = { emitted_at: z.string(), cursor: z.number().int() };

export const consoleSnapshotEvent = z
  .object({ type: z.literal('snapshot'), ...envelope, part: z.number().int(), parts: z.number().int(), page: z.object({ workspaces: z.array(consoleEntry), versions: z.record(z.string(), z.number().int()) }) })
  .meta({ id: 'LifecycleSnapshotEvent' });
export const consoleSnapshotComplete = z
  .object({ type: z.literal('snapshot-complete'), ...envelope, workspaces: z.number().int() })
  .meta({ id: 'LifecycleSnapshotComplete', description: 'The snapshot parts sent before it are the state at `cursor`; deltas follow' });
export const consoleDeltaEvent = z
  .object({ type: z.literal('delta'), ...envelope, delta: z.object({ workspaces: z.array(workspaceDelta), removed_workspace_ids: z.array(z.number().int()) }) })
  .meta({ id: 'LifecycleDeltaEvent', description: 'Apply each workspace delta (changes first, then removed_* ids), then drop removed_workspace_ids' });
export const consoleHeartbeat = z.object({ type: z.literal('heartbeat'), ...envelope }).meta({ id: 'LifecycleHeartbeat' });
export const consoleReset = z
  .object({
    type: z.literal('reset'),
    emitted_at: z.string(),
    reason: z.enum(['retention', 'unknown-cursor']),
    requested_id: z.number().int(),
    oldest_id: z.number().int(),
    head_id: z.number().int(),
    retry_ms: z.number().int(),
    backoff: z.object({ initial_ms: z.number().int(), max_ms: z.number().int(), jitter: z.literal('full') }),
  })
  .meta({ id: 'LifecycleReset', description: 'The cursor is not in the log: drop local state; a fresh snapshot follows on this connection' });
export const consoleError = z.object({ type: z.literal('error'), emitted_at: z.string(), code: z.string(), detail: z.string() }).meta({ id: 'LifecycleStreamError' });

export const lifecycleConsoleStreamEvents = {
  snapshot: consoleSnapshotEvent,
  'snapshot-complete': consoleSnapshotComplete,
  delta: consoleDeltaEvent,
  heartbeat: consoleHeartbeat,
  reset: consoleReset,
  error: consoleError,
};
