-- The matched volunteers of a large fan-out, written by the approval (or revision) transaction
-- in batches of FANOUT_BATCH_SIZE, nearest first. The planning turns the first batch into
-- publication rows in that same transaction; the dispatchers turn the others into rows right
-- after the commit, a batch per transaction (alerts/outbox/fanout.py). A million volunteers make a
-- thousand rows here instead of a million publication rows inside the approval transaction.
CREATE TABLE fanout_batches (
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    revision        integer NOT NULL,
    -- 0 holds the nearest volunteers.
    seq             integer NOT NULL,
    -- The channels to queue each volunteer on, where they can be reached on it.
    channels        text[] NOT NULL,
    -- A public case (level 3) overrides the volunteers' quiet hours.
    override_quiet  boolean NOT NULL,
    volunteer_ids   bigint[] NOT NULL,
    -- Each volunteer's distance in km from the last-seen point (the publications' sort_key).
    distances       double precision[] NOT NULL,
    -- The messages the batch makes, as planned (for the case's progress while it waits).
    messages        integer NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, revision, seq),
    CHECK (cardinality(volunteer_ids) = cardinality(distances))
);
-- The dispatchers take the nearest batches of every case first.
CREATE INDEX fanout_batches_seq_idx ON fanout_batches (seq, case_id, revision);
-- Stored out of line without compression: compressing a batch's 16 kB of numbers cost more
-- than writing them.
ALTER TABLE fanout_batches ALTER COLUMN volunteer_ids SET STORAGE EXTERNAL,
                           ALTER COLUMN distances SET STORAGE EXTERNAL;
