-- Trust fabric: VM instances, the registry snapshot, its append-only history, and what reads them.

CREATE TABLE runtime_vm_instances (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id            text        NOT NULL,
  server_id           bigint      NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  driver              text        NOT NULL,
  domain_name         text        NOT NULL,
  memory_mib          integer     NOT NULL,
  vcpu_count          integer     NOT NULL,
  isolation_tier      text        NOT NULL DEFAULT 'none',
  status              text        NOT NULL DEFAULT 'registered',
  console_log_path    text,
  credential_snapshot jsonb       NOT NULL DEFAULT '{}'::jsonb,
  metadata            jsonb       NOT NULL DEFAULT '{}'::jsonb,
  version             integer     NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  terminated_at       timestamptz
);
CREATE INDEX runtime_vm_instances_server_idx ON runtime_vm_instances (server_id, id DESC);
CREATE INDEX runtime_vm_instances_owner_idx ON runtime_vm_instances (owner_id, id);
CREATE UNIQUE INDEX runtime_vm_instances_domain_key ON runtime_vm_instances (driver, domain_name) WHERE terminated_at IS NULL;

CREATE TABLE runtime_vm_trust_registry (
  vm_instance_id        bigint      PRIMARY KEY REFERENCES runtime_vm_instances (id) ON DELETE CASCADE,
  owner_id              text        NOT NULL,
  server_id             bigint      NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  attestation_status    text        NOT NULL DEFAULT 'unknown',
  lifecycle_state       text        NOT NULL DEFAULT 'pending',
  remediation_state     text,
  remediation_attempts  integer     NOT NULL DEFAULT 0,
  freshness_deadline    timestamptz,
  provenance            jsonb       NOT NULL DEFAULT '{}'::jsonb,
  version               integer     NOT NULL DEFAULT 1,
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runtime_vm_trust_registry_owner_idx ON runtime_vm_trust_registry (owner_id, vm_instance_id);
CREATE INDEX runtime_vm_trust_registry_server_idx ON runtime_vm_trust_registry (server_id);
CREATE INDEX runtime_vm_trust_registry_state_idx ON runtime_vm_trust_registry (owner_id, lifecycle_state);
CREATE INDEX runtime_vm_trust_registry_deadline_idx ON runtime_vm_trust_registry (freshness_deadline);

CREATE TABLE runtime_vm_trust_history (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  vm_instance_id          bigint      NOT NULL REFERENCES runtime_vm_instances (id) ON DELETE CASCADE,
  owner_id                text        NOT NULL,
  server_id               bigint      NOT NULL,
  registry_version        integer     NOT NULL,
  previous_lifecycle_state text,
  lifecycle_state         text        NOT NULL,
  previous_attestation_status text,
  attestation_status      text        NOT NULL,
  remediation_state       text,
  remediation_attempts    integer     NOT NULL DEFAULT 0,
  trigger                 text        NOT NULL,
  actor                   text,
  verifier                text,
  evidence_digest         text,
  report_reference        text,
  reason                  text,
  provenance              jsonb       NOT NULL DEFAULT '{}'::jsonb,
  freshness_deadline      timestamptz,
  created_at              timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT runtime_vm_trust_history_version_key UNIQUE (vm_instance_id, registry_version)
);
CREATE INDEX runtime_vm_trust_history_instance_idx ON runtime_vm_trust_history (vm_instance_id, id DESC);
CREATE UNIQUE INDEX runtime_vm_trust_history_evidence_key
  ON runtime_vm_trust_history (vm_instance_id, evidence_digest) WHERE evidence_digest IS NOT NULL;

CREATE TABLE server_reference_measurements (
  server_id    bigint      PRIMARY KEY REFERENCES servers (id) ON DELETE CASCADE,
  owner_id     text        NOT NULL,
  measurements jsonb       NOT NULL,
  version      integer     NOT NULL DEFAULT 1,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE attestation_nonces (
  vm_instance_id bigint      NOT NULL REFERENCES runtime_vm_instances (id) ON DELETE CASCADE,
  nonce          text        NOT NULL,
  seen_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (vm_instance_id, nonce)
);

CREATE TABLE evaluation_certifications (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id                text        NOT NULL,
  server_id               bigint      NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  vm_instance_id          bigint      REFERENCES runtime_vm_instances (id) ON DELETE SET NULL,
  status                  text        NOT NULL DEFAULT 'scheduled',
  refresh_paused          boolean     NOT NULL DEFAULT false,
  refresh_interval_seconds integer    NOT NULL DEFAULT 3600,
  next_refresh_at         timestamptz,
  last_attestation_status text,
  fallback_launched_at    timestamptz,
  remediation_attempts    integer     NOT NULL DEFAULT 0,
  notes                   jsonb       NOT NULL DEFAULT '[]'::jsonb,
  version                 integer     NOT NULL DEFAULT 1,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT evaluation_certifications_server_key UNIQUE (server_id)
);
CREATE INDEX evaluation_certifications_owner_idx ON evaluation_certifications (owner_id, id);
CREATE INDEX evaluation_certifications_due_idx ON evaluation_certifications (next_refresh_at) WHERE NOT refresh_paused;

CREATE TABLE capability_intelligence_scores (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id      text        NOT NULL,
  server_id     bigint      NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  capability    text        NOT NULL DEFAULT 'runtime',
  score         numeric(5,2) NOT NULL,
  notes         jsonb       NOT NULL DEFAULT '[]'::jsonb,
  evidence      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  computed_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT capability_intelligence_scores_key UNIQUE (server_id, capability)
);
CREATE INDEX capability_intelligence_scores_owner_idx ON capability_intelligence_scores (owner_id, server_id);

CREATE TABLE build_artifact_runs (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id         text        NOT NULL,
  server_id        bigint      NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  manifest_digest  text        NOT NULL,
  manifest_tag     text,
  registry_image   text,
  status           text        NOT NULL DEFAULT 'pending',
  started_at       timestamptz NOT NULL DEFAULT now(),
  completed_at     timestamptz,
  duration_seconds integer,
  metadata         jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX build_artifact_runs_server_idx ON build_artifact_runs (server_id, id DESC);
CREATE INDEX build_artifact_runs_owner_idx ON build_artifact_runs (owner_id, id);
