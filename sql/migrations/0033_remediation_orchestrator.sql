-- Remediation orchestrator: the playbook catalog and the runs it materialises.

CREATE TABLE runtime_vm_remediation_playbooks (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id             text        NOT NULL,
  playbook_key         text        NOT NULL,
  display_name         text        NOT NULL DEFAULT '',
  description          text        NOT NULL DEFAULT '',
  executor_type        text        NOT NULL CHECK (executor_type IN ('shell', 'ansible', 'cloud')),
  owner_assignment     text,
  approval_required    boolean     NOT NULL DEFAULT true,
  sla_duration_seconds integer     NOT NULL DEFAULT 3600 CHECK (sla_duration_seconds > 0),
  timeout_seconds      integer     NOT NULL DEFAULT 1800 CHECK (timeout_seconds > 0),
  retry_limit          integer     NOT NULL DEFAULT 3 CHECK (retry_limit >= 0),
  plan                 jsonb       NOT NULL DEFAULT '{}'::jsonb,
  selector             jsonb       NOT NULL DEFAULT '{}'::jsonb,
  metadata             jsonb       NOT NULL DEFAULT '{}'::jsonb,
  version              integer     NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  deleted_at           timestamptz
);
CREATE UNIQUE INDEX runtime_vm_remediation_playbooks_key ON runtime_vm_remediation_playbooks (owner_id, playbook_key)
  WHERE deleted_at IS NULL;
CREATE INDEX runtime_vm_remediation_playbooks_owner_idx ON runtime_vm_remediation_playbooks (owner_id, id);
