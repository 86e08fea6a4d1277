-- Alerts that end unless renewed (issue 20): each publication level runs for at most its
-- LEVEL_MAX_HOURS; the case's staff are reminded before the end; at the end without renewal the
-- level drops to its LEVEL_EXPIRES_TO and what falls outside is withdrawn.

-- When the level in force ends (NULL: it does not), when its staff were reminded, and which
-- period of the case this is (a renewal starts the next one; CAP identifiers carry it).
ALTER TABLE cases
    ADD COLUMN level_expires_at timestamptz,
    ADD COLUMN level_reminded_at timestamptz,
    ADD COLUMN level_period integer NOT NULL DEFAULT 1 CHECK (level_period >= 1);

CREATE INDEX cases_level_expires_at ON cases (level_expires_at)
    WHERE state = 'active' AND level_expires_at IS NOT NULL;

-- The consent a level's end records is recorded by the service, not by a staff member.
ALTER TABLE consents ALTER COLUMN recorded_by DROP NOT NULL;

-- Where a staff member's reminders go (optional).
ALTER TABLE staff ADD COLUMN email text CHECK (email IS NULL OR email ~ '^[^@\s]+@[^@\s]+$');

-- A renewal of a level that needs a second approval waits as a proposal.
ALTER TABLE case_proposals DROP CONSTRAINT case_proposals_kind_check;
ALTER TABLE case_proposals ADD CONSTRAINT case_proposals_kind_check
    CHECK (kind IN ('fields', 'consent', 'photo', 'renewal'));

-- So is the revision that shows the case at the lower level.
ALTER TABLE case_revisions ALTER COLUMN created_by DROP NOT NULL;
