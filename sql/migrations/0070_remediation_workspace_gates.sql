-- Remediation workspace gates and promotions (docs/workspaces.md). The revision and gate state machines live in
-- core/workspace-revision.ts and core/workspace-gate.ts; the CHECKs below repeat their state lists so the database
-- refuses a state the code does not know. Every gate snapshot binds to what it judged (plan digest, playbook
-- version, trust-registry versions) so a promotion can tell a stale gate from a fresh one.

-- A workspace drafts changes to one catalog playbook.
ALTER TABLE runtime_vm_remediation_workspaces
  ADD COLUMN playbook_id   bigint REFERENCES runtime_vm_remediation_playbooks (id),
  ADD COLUMN executor_type text CHECK (executor_type IN ('shell', 'ansible', 'cloud')),
  ADD CONSTRAINT runtime_vm_remediation_workspaces_state_check
    CHECK (lifecycle_state IN ('draft', 'promoting', 'promoted', 'abandoned'));
CREATE INDEX runtime_vm_remediation_workspaces_owner_idx ON runtime_vm_remediation_workspaces (owner_id, id DESC);

ALTER TABLE runtime_vm_remediation_workspace_revisions
  ADD COLUMN state                  text    NOT NULL DEFAULT 'draft',
  ADD COLUMN plan_sha256            text    NOT NULL DEFAULT '',
  -- The catalog playbook version the revision was drafted against.
  ADD COLUMN base_playbook_version  integer,
  ADD COLUMN policy_decision_id     text,
  ADD COLUMN policy_overridden_by   text,
  ADD COLUMN policy_override_reason text,
  ADD COLUMN policy_overridden_at   timestamptz,
  ADD CONSTRAINT runtime_vm_remediation_workspace_revisions_state_check
    CHECK (state IN ('draft', 'validating', 'ready', 'promoting', 'promoted', 'rejected', 'superseded', 'abandoned')),
  ADD CONSTRAINT runtime_vm_remediation_workspace_revisions_gate_check CHECK (
    schema_status IN ('pending', 'running', 'passed', 'failed', 'inconclusive', 'error', 'overridden', 'stale') AND
    policy_status IN ('pending', 'running', 'passed', 'failed', 'inconclusive', 'error', 'overridden', 'stale') AND
    simulation_status IN ('pending', 'running', 'passed', 'failed', 'inconclusive', 'error', 'overridden', 'stale') AND
    promotion_status IN ('pending', 'running', 'passed', 'failed', 'inconclusive', 'error', 'overridden', 'stale'));

ALTER TABLE runtime_vm_remediation_workspace_sandbox_executions
  ADD COLUMN gate_status       text    NOT NULL DEFAULT 'running',
  ADD COLUMN plan_sha256       text    NOT NULL DEFAULT '',
  ADD COLUMN playbook_version  integer,
  ADD COLUMN registry_versions jsonb   NOT NULL DEFAULT '{}'::jsonb,
  -- Per task: { host, task, result: changed | ok | skipped-in-check | unsupported, diff? }.
  ADD COLUMN tasks             jsonb   NOT NULL DEFAULT '[]'::jsonb,
  ADD CONSTRAINT runtime_vm_remediation_workspace_sandbox_state_check
    CHECK (execution_state IN ('pending', 'running', 'completed', 'failed')),
  ADD CONSTRAINT runtime_vm_remediation_workspace_sandbox_gate_check
    CHECK (gate_status IN ('pending', 'running', 'passed', 'failed', 'inconclusive', 'error', 'overridden', 'stale'));

-- Snapshots stay immutable: a stale gate is a new snapshot row, never an edit of the one that judged.
ALTER TABLE runtime_vm_remediation_workspace_validation_snapshots
  ADD COLUMN status            text    NOT NULL DEFAULT 'pending',
  ADD COLUMN plan_sha256       text    NOT NULL DEFAULT '',
  ADD COLUMN playbook_version  integer,
  -- { "<vm_instance_id>": <runtime_vm_trust_registry.version> } for every registry row the gate read.
  ADD COLUMN registry_versions jsonb   NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN decision_id       text,
  -- Policy: [{ rule, outcome: passed | failed, severity: hard | soft, detail }]; schema: error vectors.
  ADD COLUMN rules             jsonb   NOT NULL DEFAULT '[]'::jsonb,
  ADD COLUMN errors            jsonb   NOT NULL DEFAULT '[]'::jsonb,
  ADD COLUMN sandbox_execution_id bigint REFERENCES runtime_vm_remediation_workspace_sandbox_executions (id),
  ADD CONSTRAINT runtime_vm_remediation_workspace_snapshots_status_check
    CHECK (status IN ('pending', 'running', 'passed', 'failed', 'inconclusive', 'error', 'overridden', 'stale'));

-- One promotion of one revision over a set of target VM instances.
CREATE TABLE runtime_vm_remediation_promotions (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id              text        NOT NULL,
  workspace_id          bigint      NOT NULL REFERENCES runtime_vm_remediation_workspaces (id) ON DELETE CASCADE,
  revision_id           bigint      NOT NULL REFERENCES runtime_vm_remediation_workspace_revisions (id) ON DELETE CASCADE,
  playbook_id           bigint      NOT NULL REFERENCES runtime_vm_remediation_playbooks (id),
  -- The catalog version the promotion wrote (null until applied).
  playbook_version      integer,
  requested_by          text        NOT NULL,
  status                text        NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'succeeded', 'partial', 'failed', 'stale', 'cancelled')),
  max_parallel          integer     NOT NULL DEFAULT 1 CHECK (max_parallel > 0),
  stop_on_first_failure boolean     NOT NULL DEFAULT true,
  track_name            text        NOT NULL DEFAULT 'stable',
  track_tier            text        NOT NULL DEFAULT 'tier-1',
  stage                 text        NOT NULL DEFAULT 'production',
  -- { pending, staged, running, succeeded, failed, refused, skipped } per-target phase counts.
  counts                jsonb       NOT NULL DEFAULT '{}'::jsonb,
  gate_context          jsonb       NOT NULL DEFAULT '{}'::jsonb,
  -- Aggregate verdict: { allowed, veto_reasons, signals, remediation_hooks }.
  posture_verdict       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  notes                 jsonb       NOT NULL DEFAULT '[]'::jsonb,
  failure_reason        text,
  version               integer     NOT NULL DEFAULT 1,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  started_at            timestamptz,
  completed_at          timestamptz
);
CREATE INDEX runtime_vm_remediation_promotions_workspace_idx ON runtime_vm_remediation_promotions (workspace_id, id DESC);
CREATE INDEX runtime_vm_remediation_promotions_owner_idx ON runtime_vm_remediation_promotions (owner_id, id DESC);

-- One row per target VM instance, with the remediation run the promotion staged for it.
CREATE TABLE runtime_vm_remediation_promotion_runs (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  promotion_id           bigint      NOT NULL REFERENCES runtime_vm_remediation_promotions (id) ON DELETE CASCADE,
  owner_id               text        NOT NULL,
  workspace_id           bigint      NOT NULL REFERENCES runtime_vm_remediation_workspaces (id) ON DELETE CASCADE,
  runtime_vm_instance_id bigint      NOT NULL REFERENCES runtime_vm_instances (id) ON DELETE CASCADE,
  ordinal                integer     NOT NULL,
  phase                  text        NOT NULL DEFAULT 'pending'
    CHECK (phase IN ('pending', 'staged', 'running', 'succeeded', 'failed', 'refused', 'skipped')),
  remediation_run_id     bigint      REFERENCES runtime_vm_remediation_runs (id) ON DELETE SET NULL,
  playbook_id            bigint      NOT NULL REFERENCES runtime_vm_remediation_playbooks (id),
  playbook_version       integer,
  promotion_gate_context jsonb       NOT NULL DEFAULT '{}'::jsonb,
  trust_posture          jsonb       NOT NULL DEFAULT '{}'::jsonb,
  automation_payload     jsonb       NOT NULL DEFAULT '{}'::jsonb,
  -- { allowed, veto_reasons, signals, remediation_hooks, track_name, track_tier, stage }.
  posture_verdict        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  refusal_reason         text,
  notes                  jsonb       NOT NULL DEFAULT '[]'::jsonb,
  metadata               jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT runtime_vm_remediation_promotion_runs_target_key UNIQUE (promotion_id, runtime_vm_instance_id),
  CONSTRAINT runtime_vm_remediation_promotion_runs_ordinal_key UNIQUE (promotion_id, ordinal)
);
CREATE INDEX runtime_vm_remediation_promotion_runs_workspace_idx ON runtime_vm_remediation_promotion_runs (workspace_id, id DESC);
CREATE INDEX runtime_vm_remediation_promotion_runs_run_idx ON runtime_vm_remediation_promotion_runs (remediation_run_id)
  WHERE remediation_run_id IS NOT NULL;
