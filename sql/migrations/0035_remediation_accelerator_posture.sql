-- Accelerator posture per VM instance, folded into remediation stream payloads and placement.

CREATE TABLE runtime_vm_accelerator_posture (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id        text        NOT NULL,
  vm_instance_id  bigint      NOT NULL REFERENCES runtime_vm_instances (id) ON DELETE CASCADE,
  accelerator_id  text        NOT NULL,
  kind            text        NOT NULL,
  posture         text        NOT NULL,
  policy_feedback jsonb       NOT NULL DEFAULT '[]'::jsonb,
  metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT runtime_vm_accelerator_posture_key UNIQUE (vm_instance_id, accelerator_id)
);
