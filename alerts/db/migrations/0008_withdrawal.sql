-- Withdrawal and retention: the withdrawal workers' claims, staff confirmations of manual
-- removals, the purge of a closed case's personal data and its minimal record, and the runs of
-- the scheduler's jobs.

ALTER TABLE publications
    -- Attempts to take the message back, counted apart from the attempts to send it.
    ADD COLUMN withdraw_attempts integer NOT NULL DEFAULT 0,
    -- A person confirmed the removal of a publication marked for manual action.
    ADD COLUMN confirmed_by bigint REFERENCES staff (id),
    ADD COLUMN confirmed_at timestamptz;

-- The withdrawal workers claim due rows in this order (the claim's lease is `next_attempt_at`).
CREATE INDEX publications_withdrawing_idx ON publications (next_attempt_at, id)
    WHERE state = 'withdrawing';

-- When the child's personal data was purged (RETENTION_DAYS after the close).
ALTER TABLE cases ADD COLUMN purged_at timestamptz;
CREATE INDEX cases_closed_unpurged_idx ON cases (closed_at)
    WHERE state = 'closed' AND purged_at IS NULL;

-- What stays of a purged case: its reference, its dates, and how much was purged. No foreign
-- key: the record outlives whatever happens to the case row.
CREATE TABLE purge_records (
    case_id         bigint PRIMARY KEY,
    reference       text NOT NULL,
    kind            text NOT NULL,
    close_reason    text,
    approved_at     timestamptz,
    closed_at       timestamptz NOT NULL,
    purged_at       timestamptz NOT NULL DEFAULT now(),
    counts          jsonb NOT NULL
);

-- The last run of each scheduled job (the daily purge); several processes share it.
CREATE TABLE scheduler_runs (
    job             text PRIMARY KEY,
    last_run_at     timestamptz NOT NULL,
    result          jsonb NOT NULL DEFAULT '{}'
);
