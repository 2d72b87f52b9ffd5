-- Trust fabric, second step: which event produced each history row, when its reactions ran (the catch-up
-- listener re-derives missing ones from here), and which evidence used each nonce (replay vs. resubmission).

ALTER TABLE runtime_vm_trust_history ADD COLUMN event text;
ALTER TABLE runtime_vm_trust_history ADD COLUMN reacted_at timestamptz;
CREATE INDEX runtime_vm_trust_history_unreacted_idx ON runtime_vm_trust_history (id) WHERE reacted_at IS NULL;

-- Rows written before this migration have nothing left to react to.
UPDATE runtime_vm_trust_history SET reacted_at = created_at;

ALTER TABLE attestation_nonces ADD COLUMN evidence_digest text;

CREATE INDEX runtime_vm_trust_registry_server_owner_idx ON runtime_vm_trust_registry (owner_id, server_id, vm_instance_id);
