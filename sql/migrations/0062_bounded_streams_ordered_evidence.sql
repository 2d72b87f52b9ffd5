-- Bounded streams: catch-up per subject reads (topic, owner_id, subject_id, id) in index order; it replaces the
-- subject index without owner, which no query used. (topic, id) with created_at serves retention's pruning.
CREATE INDEX stream_events_owner_subject_idx ON stream_events (topic, owner_id, subject_id, id);
DROP INDEX stream_events_subject_idx;
CREATE INDEX stream_events_topic_id_idx ON stream_events (topic, id) INCLUDE (created_at);

-- The low-water mark per topic: every event with id <= pruned_through is gone. A resume below it gets `reset`.
CREATE TABLE stream_retention (
  topic          text        PRIMARY KEY,
  pruned_through bigint      NOT NULL,
  pruned_at      timestamptz NOT NULL DEFAULT now()
);

-- Evidence ordered by observation: the registry keeps the observation time of the newest decided evidence it
-- applied; older evidence is still recorded in history, flagged out_of_order, and moves nothing.
ALTER TABLE runtime_vm_trust_registry ADD COLUMN evidence_observed_at timestamptz;
ALTER TABLE runtime_vm_trust_history
  ADD COLUMN observed_at  timestamptz,
  ADD COLUMN out_of_order boolean NOT NULL DEFAULT false;
