-- A change that widens what an active case publishes is a proposal until a second staff member
-- with the approver role approves it (alerts/cases/proposals.py). Nothing of a pending proposal
-- is published: its fields and consent wait here as sent, its photo (already cleaned) too.
CREATE TABLE case_proposals (
    id              bigserial PRIMARY KEY,
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('fields', 'consent', 'photo')),
    data            jsonb NOT NULL DEFAULT '{}',
    photo_jpeg      bytea,
    photo_width     integer,
    photo_height    integer,
    photo_sha256    text,
    state           text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'approved', 'rejected')),
    proposed_by     bigint NOT NULL REFERENCES staff (id),
    proposed_at     timestamptz NOT NULL DEFAULT now(),
    decided_by      bigint REFERENCES staff (id),
    decided_at      timestamptz,
    -- The fingerprint of the public view the approver saw and approved.
    fingerprint     text,
    CHECK ((kind = 'photo') = (photo_jpeg IS NOT NULL)),
    CHECK ((state = 'pending') = (decided_at IS NULL))
);
CREATE INDEX case_proposals_pending_idx ON case_proposals (case_id, id) WHERE state = 'pending';
