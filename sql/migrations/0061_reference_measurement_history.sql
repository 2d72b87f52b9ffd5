-- Reference measurements are changed by the tenant admin only; every change is kept with its actor, so who
-- declared what a trusted instance must measure is never lost.
ALTER TABLE server_reference_measurements ADD COLUMN updated_by text;

CREATE TABLE server_reference_measurement_history (
  id           bigserial   PRIMARY KEY,
  server_id    bigint      NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  owner_id     text        NOT NULL,
  version      integer     NOT NULL,
  measurements jsonb       NOT NULL,
  actor        text        NOT NULL,
  changed_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (server_id, version)
);

CREATE INDEX server_reference_measurement_history_owner ON server_reference_measurement_history (owner_id, server_id, version DESC);

-- References that existed before this migration start their history at their current version.
INSERT INTO server_reference_measurement_history (server_id, owner_id, version, measurements, actor, changed_at)
SELECT server_id, owner_id, version, measurements, 'unknown (before history)', updated_at FROM server_reference_measurements;
