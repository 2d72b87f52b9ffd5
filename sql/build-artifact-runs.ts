// build_artifact_runs: the image builds recorded per server (manifest digest, tag, registry image, status, timing),
// read by the lifecycle console for marketplace readiness.
import type { Queryable } from './db.ts';

export interface BuildArtifactRunRow {
  id: number;
  server_id: number;
  manifest_digest: string;
  manifest_tag: string | null;
  registry_image: string | null;
  status: string;
  started_at: Date;
  completed_at: Date | null;
  duration_seconds: number | null;
  metadata: Record<string, unknown>;
}

export interface NewBuildArtifactRun {
  manifest_digest: string;
  manifest_tag?: string | undefined;
  registry_image?: string | undefined;
  status: string;
  started_at?: string | undefined;
  completed_at?: string | undefined;
  duration_seconds?: number | undefined;
  metadata: Record<string, unknown>;
}

const columns = (sql: Queryable) => sql`id, server_id, manifest_digest, manifest_tag, registry_image, status, started_at, completed_at, duration_seconds, metadata`;

/** Insert for the owner's server (undefined when it is not theirs); the duration defaults to completed − started. */
export async function insertBuildArtifactRun(sql: Queryable, ownerId: string, serverId: number, run: NewBuildArtifactRun): Promise<BuildArtifactRunRow | undefined> {
  const started = run.started_at ?? null;
  const completed = run.completed_at ?? null;
  const [row] = await sql<BuildArtifactRunRow[]>`
    INSERT INTO build_artifact_runs (owner_id, server_id, manifest_digest, manifest_tag, registry_image, status, started_at, completed_at, duration_seconds, metadata)
    SELECT s.owner_id, s.id, ${run.manifest_digest}, ${run.manifest_tag ?? null}, ${run.registry_image ?? null}, ${run.status},
           coalesce(${started}::timestamptz, now()), ${completed}::timestamptz,
           coalesce(${run.duration_seconds ?? null}::integer,
                    CASE WHEN ${completed}::timestamptz IS NULL THEN NULL
                         ELSE greatest(0, extract(epoch FROM ${completed}::timestamptz - coalesce(${started}::timestamptz, now())))::integer END),
           ${sql.json(run.metadata as never)}
    FROM servers s WHERE s.id = ${serverId} AND s.owner_id = ${ownerId}
    RETURNING ${columns(sql)}`;
  return row;
}

export async function listBuildArtifactRuns(sql: Queryable, ownerId: string, serverId: number, page: { limit: number; after?: number }): Promise<BuildArtifactRunRow[]> {
  return sql<BuildArtifactRunRow[]>`
    SELECT ${columns(sql)} FROM build_artifact_runs
    WHERE server_id = ${serverId} AND owner_id = ${ownerId} ${page.after === undefined ? sql`` : sql`AND id < ${page.after}`}
    ORDER BY id DESC LIMIT ${page.limit + 1}`;
}
