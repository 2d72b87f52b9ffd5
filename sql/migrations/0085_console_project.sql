-- The console-project job's inputs: what a committed change touched (a workspace, run, VM instance or server),
-- marked in the writer's own transaction, and the owners whose console has been projected whole at least once.

-- One row per touched subject until a console-project job takes it (in the transaction that projects it). A writer
-- that inserts a fresh row also writes the job; one that finds the row already there only locks it until it commits,
-- so the job that takes the row waits for it and then sees its change.
CREATE TABLE lifecycle_console_dirty (
  owner_id    text        NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('workspace', 'run', 'vm_instance', 'server')),
  subject_id  bigint      NOT NULL,
  marked_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner_id, kind, subject_id)
);

CREATE INDEX lifecycle_console_dirty_marked_idx ON lifecycle_console_dirty (marked_at);

-- An owner is here once a full projection (first connect, or the reconciliation) finished for it.
CREATE TABLE lifecycle_console_owners (
  owner_id       text        PRIMARY KEY,
  reconciled_at  timestamptz NOT NULL DEFAULT now()
);
