-- Accept groups. Concurrent POST /api/trust/attestations share one transaction (group commit) and one
-- attestation-ingest job that carries every digest of the group; each inbox row names that job, so a result can
-- be read from it while the row is unprocessed. Rows recorded before this migration carry their own job
-- (attest-<digest>) and leave job_id null.
ALTER TABLE attestation_inbox ADD COLUMN job_id text;
