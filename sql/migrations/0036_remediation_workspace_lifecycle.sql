-- Remediation workspaces: governed drafts, their revisions, sandbox simulations and gate snapshots.

CREATE TABLE runtime_vm_remediation_workspaces (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id           text        NOT NULL,
  workspace_key      text        NOT NULL,
  display_name       text        NOT NULL,
  description        text        NOT NULL DEFAULT '',
  lifecycle_state    text        NOT NULL DEFAULT 'draft',
  lineage_tags       jsonb       NOT NULL DEFAULT '[]'::jsonb,
  active_revision_id bigint,
  metadata           jsonb       NOT NULL DEFAULT '{}'::jsonb,
  version            integer     NOT NULL DEFAULT 1,
  created_by         text        NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT runtime_vm_remediation_workspaces_key UNIQUE (owner_id, workspace_key)
);

CREATE TABLE runtime_vm_remediation_workspace_revisions (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id       bigint      NOT NULL REFERENCES runtime_vm_remediation_workspaces (id) ON DELETE CASCADE,
  revision_number    integer     NOT NULL,
  previous_revision_id bigint    REFERENCES runtime_vm_remediation_workspace_revisions (id),
  created_by         text        NOT NULL,
  plan               jsonb       NOT NULL DEFAULT '{}'::jsonb,
  schema_status      text        NOT NULL DEFAULT 'pending',
  policy_status      text        NOT NULL DEFAULT 'pending',
  simulation_status  text        NOT NULL DEFAULT 'pending',
  promotion_status   text        NOT NULL DEFAULT 'pending',
  schema_errors      jsonb       NOT NULL DEFAULT '[]'::jsonb,
  policy_veto_reasons jsonb      NOT NULL DEFAULT '[]'::jsonb,
  lineage_labels     jsonb       NOT NULL DEFAULT '[]'::jsonb,
  schema_validated_at timestamptz,
  policy_evaluated_at timestamptz,
  simulated_at       timestamptz,
  promoted_at        timestamptz,
  metadata           jsonb       NOT NULL DEFAULT '{}'::jsonb,
  version            integer     NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT runtime_vm_remediation_workspace_revisions_key UNIQUE (workspace_id, revision_number)
);

ALTER TABLE runtime_vm_remediation_workspaces
  ADD CONSTRAINT runtime_vm_remediation_workspaces_active_revision_fk
  FOREIGN KEY (active_revision_id) REFERENCES runtime_vm_remediation_workspace_revisions (id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE runtime_vm_remediation_workspace_sandbox_executions (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id    bigint      NOT NULL REFERENCES runtime_vm_remediation_workspaces (id) ON DELETE CASCADE,
  revision_id     bigint      NOT NULL REFERENCES runtime_vm_remediation_workspace_revisions (id) ON DELETE CASCADE,
  requested_by    text        NOT NULL,
  simulator_kind  text        NOT NULL,
  execution_state text        NOT NULL DEFAULT 'pending',
  diff_snapshot   jsonb       NOT NULL DEFAULT '{}'::jsonb,
  gate_context    jsonb       NOT NULL DEFAULT '{}'::jsonb,
  outcome         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  started_at      timestamptz,
  completed_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runtime_vm_remediation_workspace_sandbox_revision_idx
  ON runtime_vm_remediation_workspace_sandbox_executions (revision_id, id);

CREATE TABLE runtime_vm_remediation_workspace_validation_snapshots (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  bigint      NOT NULL REFERENCES runtime_vm_remediation_workspaces (id) ON DELETE CASCADE,
  revision_id   bigint      NOT NULL REFERENCES runtime_vm_remediation_workspace_revisions (id) ON DELETE CASCADE,
  snapshot_type text        NOT NULL CHECK (snapshot_type IN ('schema', 'policy', 'simulation', 'promotion')),
  gate_context  jsonb       NOT NULL DEFAULT '{}'::jsonb,
  notes         jsonb       NOT NULL DEFAULT '[]'::jsonb,
  recorded_by   text        NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runtime_vm_remediation_workspace_snapshots_revision_idx
  ON runtime_vm_remediation_workspace_validation_snapshots (revision_id, id);
