-- A revision names the VM instances it is meant for (the policy gate reads their trust posture, the promotion
-- stages one run on each) and whether it asks the policy to accept tasks a dry run cannot simulate.
ALTER TABLE runtime_vm_remediation_workspace_revisions
  ADD COLUMN targets           jsonb   NOT NULL DEFAULT '[]'::jsonb,
  ADD COLUMN allow_unsimulated boolean NOT NULL DEFAULT false;
