-- Foundation: tenants' servers, the transactional outbox and the durable event log behind every SSE stream.

CREATE TABLE outbox (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue       text        NOT NULL,
  job_name    text        NOT NULL,
  payload     jsonb       NOT NULL,
  job_options jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  relayed_at  timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE relayed_at IS NULL;
CREATE INDEX outbox_relayed_idx ON outbox (relayed_at) WHERE relayed_at IS NOT NULL;

CREATE TABLE servers (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id        text        NOT NULL,
  name            text        NOT NULL,
  description     text        NOT NULL DEFAULT '',
  image           text        NOT NULL,
  isolation_tier  text,
  memory_mib      integer,
  vcpu_count      integer,
  status          text        NOT NULL DEFAULT 'registered',
  placement_notes jsonb       NOT NULL DEFAULT '[]'::jsonb,
  metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  version         integer     NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT servers_owner_name_key UNIQUE (owner_id, name)
);
CREATE INDEX servers_owner_id_idx ON servers (owner_id, id);

-- Every event any SSE stream serves. Ids are handed out in commit order (see workers/sse-fanout.ts),
-- so a client resuming after id N never misses an event committed later with a smaller id.
CREATE TABLE stream_events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic      text        NOT NULL,
  owner_id   text        NOT NULL,
  subject_id text        NOT NULL,
  event      text        NOT NULL,
  payload    jsonb       NOT NULL,
  dedupe_key text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT stream_events_dedupe_key UNIQUE (dedupe_key)
);
CREATE INDEX stream_events_topic_owner_idx ON stream_events (topic, owner_id, id);
CREATE INDEX stream_events_subject_idx ON stream_events (topic, subject_id, id);
