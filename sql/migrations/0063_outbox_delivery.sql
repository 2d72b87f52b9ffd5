-- Outbox rows fail alone: a row whose job cannot be added is retried with backoff and its error kept on the row,
-- while the relay moves every other row. Relay lag and failing rows are read from here by /metrics.
ALTER TABLE outbox
  ADD COLUMN attempts        integer     NOT NULL DEFAULT 0,
  ADD COLUMN last_error      text,
  ADD COLUMN next_attempt_at timestamptz;

CREATE INDEX outbox_failing_idx ON outbox (next_attempt_at) WHERE relayed_at IS NULL AND attempts > 0;
