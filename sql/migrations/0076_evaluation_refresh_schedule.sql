-- The evaluation refresh scheduler, per VM instance: its state (scheduled | unreachable | remediating), when the
-- next refresh is due, when one was last attempted and last succeeded, and the job that carries it
-- (core/refresh-schedule.ts, workers/evaluation-refresh.ts).

CREATE TABLE evaluation_refresh_schedules (
  vm_instance_id     bigint      PRIMARY KEY REFERENCES runtime_vm_instances (id) ON DELETE CASCADE,
  owner_id           text        NOT NULL,
  server_id          bigint      NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  state              text        NOT NULL DEFAULT 'scheduled',
  next_refresh_at    timestamptz,
  last_attempt_at    timestamptz,
  last_success_at    timestamptz,
  last_outcome       text,
  consecutive_misses integer     NOT NULL DEFAULT 0,
  scheduled_at       timestamptz NOT NULL DEFAULT now(),   -- when the current run of refreshes started (resume)
  stalled_at         timestamptz,                          -- set by the stall sweep, cleared by the next attempt
  job_id             text,
  version            integer     NOT NULL DEFAULT 1,
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evaluation_refresh_schedules_server_idx ON evaluation_refresh_schedules (server_id);
CREATE INDEX evaluation_refresh_schedules_live_idx ON evaluation_refresh_schedules (coalesce(last_attempt_at, scheduled_at)) WHERE state <> 'remediating';
