-- Remediation dispatch: per-run log sequence counter, quarantine provenance dedupe, and the job that ran each attempt.

ALTER TABLE runtime_vm_remediation_runs
  ADD COLUMN log_sequence      integer NOT NULL DEFAULT 0,
  ADD COLUMN source_history_id bigint;

-- One run per quarantine event: a re-delivered materialise job finds its run instead of making another.
CREATE UNIQUE INDEX runtime_vm_remediation_runs_source_key
  ON runtime_vm_remediation_runs (vm_instance_id, source_history_id) WHERE source_history_id IS NOT NULL;
CREATE INDEX runtime_vm_remediation_runs_instance_idx ON runtime_vm_remediation_runs (vm_instance_id, id DESC);

-- The job that ran an attempt: a re-delivered (stalled) job recognises the attempt it left unfinished.
ALTER TABLE runtime_vm_remediation_attempts
  ADD COLUMN job_id         text,
  ADD COLUMN retry_delay_ms integer;
