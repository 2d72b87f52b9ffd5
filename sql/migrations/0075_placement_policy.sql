-- The placement policy engine's record: every decision with each check's verdict per candidate, the digest of
-- its inputs and the registry versions it read; and the operator overrides of transient vetoes (core/policy-engine.ts).

CREATE TABLE placement_decisions (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  decision_id           uuid        NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  owner_id              text        NOT NULL,
  server_id             bigint      NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  purpose               text        NOT NULL,            -- launch | refresh | evaluate
  allow                 boolean     NOT NULL,
  gate                  text        NOT NULL,
  status                text,
  reason                text,
  veto_check            text,
  veto_class            text,
  chosen_vm_instance_id bigint,
  score                 numeric(5,2) NOT NULL,
  candidates            jsonb       NOT NULL,
  notes                 jsonb       NOT NULL DEFAULT '[]'::jsonb,
  input_digest          text        NOT NULL,
  registry_versions     jsonb       NOT NULL DEFAULT '{}'::jsonb,
  overrides_applied     jsonb       NOT NULL DEFAULT '[]'::jsonb,
  created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX placement_decisions_server_idx ON placement_decisions (server_id, id DESC);
CREATE INDEX placement_decisions_owner_idx ON placement_decisions (owner_id, id);

CREATE TABLE placement_overrides (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id    text        NOT NULL,
  server_id   bigint      NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  check_name  text        NOT NULL,
  actor       text        NOT NULL,
  reason      text        NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX placement_overrides_server_idx ON placement_overrides (server_id, expires_at);
