-- Remediation control plane: runs, their attempts, log events and artifacts.

CREATE TABLE runtime_vm_remediation_runs (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id             text        NOT NULL,
  vm_instance_id       bigint      NOT NULL REFERENCES runtime_vm_instances (id) ON DELETE CASCADE,
  playbook_id          bigint      NOT NULL REFERENCES runtime_vm_remediation_playbooks (id),
  playbook_version     integer     NOT NULL,
  status               text        NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'queued', 'running', 'retry-scheduled', 'succeeded', 'failed', 'cancelled', 'denied', 'expired')),
  approval_state       text        NOT NULL CHECK (approval_state IN ('pending', 'auto-approved', 'approved', 'denied', 'expired')),
  approval_expires_at  timestamptz,
  approved_by          text,
  approved_at          timestamptz,
  approval_note        text,
  requested_by         text        NOT NULL,
  assigned_owner       text,
  trigger              text        NOT NULL DEFAULT 'manual',
  sla_deadline         timestamptz NOT NULL,
  sla_breached_at      timestamptz,
  attempt              integer     NOT NULL DEFAULT 0,
  retry_limit          integer     NOT NULL DEFAULT 0,
  started_at           timestamptz,
  completed_at         timestamptz,
  cancellation_requested_at timestamptz,
  cancelled_by         text,
  cancellation_reason  text,
  failure_reason       text,
  failure_class        text CHECK (failure_class IN ('transient', 'structural', 'cancelled')),
  metadata             jsonb       NOT NULL DEFAULT '{}'::jsonb,
  version              integer     NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
-- The database, not the application, guarantees one active run per instance.
CREATE UNIQUE INDEX runtime_vm_remediation_runs_active_key ON runtime_vm_remediation_runs (vm_instance_id)
  WHERE status IN ('pending', 'queued', 'running', 'retry-scheduled');
CREATE INDEX runtime_vm_remediation_runs_owner_idx ON runtime_vm_remediation_runs (owner_id, id DESC);
CREATE INDEX runtime_vm_remediation_runs_status_idx ON runtime_vm_remediation_runs (status, id);

CREATE TABLE runtime_vm_remediation_attempts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id          bigint      NOT NULL REFERENCES runtime_vm_remediation_runs (id) ON DELETE CASCADE,
  attempt         integer     NOT NULL,
  status          text        NOT NULL,
  exit_code       integer,
  failure_reason  text,
  failure_class   text,
  detail          text,
  idempotency_key text        NOT NULL,
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  CONSTRAINT runtime_vm_remediation_attempts_key UNIQUE (run_id, attempt)
);

CREATE TABLE runtime_vm_remediation_log_events (
  run_id     bigint      NOT NULL REFERENCES runtime_vm_remediation_runs (id) ON DELETE CASCADE,
  sequence   integer     NOT NULL,
  attempt    integer     NOT NULL,
  stream     text        NOT NULL CHECK (stream IN ('stdout', 'stderr', 'system')),
  line       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, sequence)
);

CREATE TABLE runtime_vm_remediation_artifacts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id        bigint      NOT NULL REFERENCES runtime_vm_remediation_runs (id) ON DELETE CASCADE,
  owner_id      text        NOT NULL,
  attempt       integer     NOT NULL DEFAULT 0,
  artifact_type text        NOT NULL CHECK (artifact_type IN ('log-bundle', 'evidence', 'output')),
  name          text        NOT NULL,
  content_type  text        NOT NULL DEFAULT 'text/plain',
  content       text        NOT NULL,
  sha256        text        NOT NULL,
  size_bytes    integer     NOT NULL,
  metadata      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT runtime_vm_remediation_artifacts_key UNIQUE (run_id, attempt, name)
);
CREATE INDEX runtime_vm_remediation_artifacts_run_idx ON runtime_vm_remediation_artifacts (run_id, id);
