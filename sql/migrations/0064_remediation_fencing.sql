-- Remediation fencing: each attempt holds a lease (heartbeat + expiry) under a per-run fencing token, log losses
-- are noted on the attempt instead of discarding its outcome, and every run status change leaves a ledger row.

-- The run's fencing token: bumped each time an attempt is claimed; only the attempt holding the current token may write.
ALTER TABLE runtime_vm_remediation_runs ADD COLUMN fence bigint NOT NULL DEFAULT 0;

ALTER TABLE runtime_vm_remediation_attempts
  ADD COLUMN fence            bigint,
  ADD COLUMN heartbeat_at     timestamptz,
  ADD COLUMN lease_expires_at timestamptz,
  -- Log lines of this attempt that could not be stored (the outcome was recorded regardless).
  ADD COLUMN log_lines_lost   integer NOT NULL DEFAULT 0,
  ADD COLUMN log_write_error  text;

-- The status ledger: one row per change of a run's status, written by the one status writer with the change.
CREATE TABLE runtime_vm_remediation_run_transitions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id      bigint      NOT NULL REFERENCES runtime_vm_remediation_runs (id) ON DELETE CASCADE,
  from_status text,
  to_status   text        NOT NULL,
  attempt     integer     NOT NULL,
  actor       text        NOT NULL,
  event       text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runtime_vm_remediation_run_transitions_run_idx ON runtime_vm_remediation_run_transitions (run_id, id);
