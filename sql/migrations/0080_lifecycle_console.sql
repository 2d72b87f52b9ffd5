-- Lifecycle console: which runs belong to a workspace, and the per-workspace projection the console stream
-- diffs against (its rows change in the transaction that appends the matching delta event).

-- A run belongs to a workspace when a promotion of it staged the run, or when it was requested for it
-- (metadata.workspace_key). The console reads only this view, so a new link is one migration.
CREATE VIEW lifecycle_console_workspace_runs AS
  SELECT pr.workspace_id, pr.remediation_run_id AS run_id
  FROM runtime_vm_remediation_promotion_runs pr
  WHERE pr.remediation_run_id IS NOT NULL
  UNION
  SELECT w.id AS workspace_id, r.id AS run_id
  FROM runtime_vm_remediation_runs r
  JOIN runtime_vm_remediation_workspaces w ON w.owner_id = r.owner_id AND w.workspace_key = r.metadata->>'workspace_key';

CREATE INDEX runtime_vm_remediation_runs_workspace_key_idx
  ON runtime_vm_remediation_runs (owner_id, (metadata->>'workspace_key'), id DESC) WHERE metadata ? 'workspace_key';

-- The entry each workspace had at the console stream's last delta for it (`version` counts those deltas).
CREATE TABLE lifecycle_console_projection (
  owner_id        text        NOT NULL,
  workspace_id    bigint      NOT NULL,
  workspace_key   text        NOT NULL,
  entry           jsonb       NOT NULL,
  version         integer     NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner_id, workspace_id)
);
