-- Press room registrations and removal requests; the revision of each press download; an index
-- for the feeds, which are built from the registry's feed publications.

-- A registration waits here until its e-mail link is followed; nobody is a press contact before
-- that, and the outlet and name take effect only then (so nobody can rename someone else's
-- registration). Only a hash of the token is kept; once used, the details are wiped.
CREATE TABLE press_confirmations (
    id              bigserial PRIMARY KEY,
    token_hash      text NOT NULL UNIQUE,
    email           text CHECK (email = lower(email)),
    outlet          text,
    name            text,
    language        text NOT NULL CHECK (language IN ('nl', 'fr', 'de', 'en')),
    client_key      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);
CREATE INDEX press_confirmations_email_idx ON press_confirmations (email, created_at);
CREATE INDEX press_confirmations_client_idx ON press_confirmations (client_key, created_at);

-- Which revision an outlet took: the removal request lists what they have.
ALTER TABLE press_downloads ADD COLUMN revision integer;

-- One removal request per outlet and case: a retried withdrawal does not write twice.
CREATE TABLE press_removal_requests (
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    contact_id      bigint NOT NULL REFERENCES press_contacts (id) ON DELETE CASCADE,
    sent_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, contact_id)
);

-- The Atom and CAP feeds read every case's feed publications on each request.
CREATE INDEX publications_feed_idx ON publications (case_id, revision) WHERE channel = 'feed';
