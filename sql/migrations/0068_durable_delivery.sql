-- Durable delivery. An accepted attestation is an inbox row before the API answers 202; the attestation-ingest job
-- only carries its digest. An outbox row is done when its job has finished (done_at), not when it was added to
-- Redis (relayed_at); the relay re-adds rows whose job Redis no longer holds (workers/outbox-relay.ts).

CREATE TABLE attestation_inbox (
  digest         text        PRIMARY KEY,            -- sha256 of the canonical evidence (http/routes/trust-attestations.ts)
  owner_id       text        NOT NULL,
  actor          text        NOT NULL,
  vm_instance_id bigint      NOT NULL,
  report         jsonb       NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  processed_at   timestamptz,                        -- set in the transaction that recorded (or rejected) the outcome
  outcome        jsonb,                              -- the job's result once recorded
  failed_reason  text                                -- why the evidence was rejected
);
-- A batch drain claims the oldest unprocessed rows: ORDER BY received_at ... FOR UPDATE SKIP LOCKED.
CREATE INDEX attestation_inbox_pending_idx ON attestation_inbox (received_at) WHERE processed_at IS NULL;

ALTER TABLE outbox
  ADD COLUMN job_id  text GENERATED ALWAYS AS (coalesce(job_options->>'jobId', 'outbox-' || id::text)) STORED,
  ADD COLUMN done_at timestamptz;
-- Rows written before this migration that were relayed count as done: their jobs ran under the old contract.
UPDATE outbox SET done_at = relayed_at WHERE relayed_at IS NOT NULL;
-- Workers mark finished jobs by (queue, job id); the relay checks enqueued, unfinished rows oldest first.
CREATE INDEX outbox_unfinished_job_idx ON outbox (queue, job_id) WHERE done_at IS NULL;
CREATE INDEX outbox_unfinished_idx ON outbox (relayed_at) WHERE relayed_at IS NOT NULL AND done_at IS NULL;
DROP INDEX outbox_relayed_idx;
CREATE INDEX outbox_done_idx ON outbox (done_at) WHERE done_at IS NOT NULL;
