-- The dispatcher: shared rate limits, Telegram file ids, regional channels, partner webhooks,
-- and what the outbox needs to send in order, take over stalled claims and edit on revision.

-- A message replaced in place by the next revision's edit: the newer row carries the message
-- (and its withdrawal), the older one ends here.
ALTER TABLE publications DROP CONSTRAINT publications_state_check;
ALTER TABLE publications ADD CONSTRAINT publications_state_check CHECK (state IN
    ('pending', 'sending', 'sent', 'failed', 'cancelled', 'withdrawing', 'withdrawn',
     'neutralised', 'manual', 'superseded'));

ALTER TABLE publications
    -- The earlier revision's publication this row edits (or follows up, for e-mail and webhooks).
    -- No foreign key: its per-row check would cost the fan-out of a million rows a second, and
    -- rows are only ever deleted with their case.
    ADD COLUMN edits_id bigint,
    -- What the message is on its channel ('photo' or 'text' on Telegram): how to neutralise it.
    ADD COLUMN media text;

-- The claim: due rows nearest first. Held rows (quiet hours, backoff) wait in the same index.
CREATE INDEX publications_pending_idx ON publications (sort_key, id) WHERE state = 'pending';
-- Stalled claims of a dead dispatcher.
CREATE INDEX publications_sending_idx ON publications (claimed_at) WHERE state = 'sending';
CREATE INDEX publications_edits_idx ON publications (edits_id) WHERE edits_id IS NOT NULL;

-- Rate limits shared by every dispatcher process: one row per limit ('telegram', 'email',
-- 'webhook', 'telegram_channel:<chat>'), a token bucket that saves at most one token and lends
-- up to `lookahead` (alerts/outbox/limits.py). Unlogged: after a crash the buckets start
-- afresh, which is what a restart does anyway, and the hot rows cost no WAL.
CREATE UNLOGGED TABLE rate_buckets (
    key             text PRIMARY KEY,
    rate            double precision NOT NULL CHECK (rate > 0),
    lookahead       double precision NOT NULL CHECK (lookahead >= 1),
    tokens          double precision NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Set from a 429's retry_after: nobody sends on this bucket before then.
    paused_until    timestamptz
);

-- A photo is uploaded to Telegram once per case revision and then sent by its file_id.
CREATE TABLE telegram_files (
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    revision        integer NOT NULL,
    material        text NOT NULL,
    file_id         text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, revision, material)
);

-- Regional Telegram channels configured by staff: a post for every case whose last-seen point
-- lies within the channel's circle (publication level 2 and up).
CREATE TABLE telegram_channels (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL,
    chat_id         text NOT NULL UNIQUE CHECK (chat_id ~ '^(-?[0-9]+|@[A-Za-z0-9_]{5,32})$'),
    language        text NOT NULL CHECK (language IN ('nl', 'fr', 'de', 'en')),
    lat             double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon             double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    radius_km       double precision NOT NULL CHECK (radius_km > 0 AND radius_km <= 500),
    active          boolean NOT NULL DEFAULT true,
    created_by      bigint REFERENCES staff (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Partner systems that receive every public (level 3) case, signed with their secret.
CREATE TABLE partner_webhooks (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL,
    url             text NOT NULL UNIQUE CHECK (url ~ '^https?://'),
    secret          text NOT NULL CHECK (length(secret) >= 16),
    format          text NOT NULL CHECK (format IN ('json', 'cap')),
    language        text NOT NULL DEFAULT 'en' CHECK (language IN ('nl', 'fr', 'de', 'en')),
    active          boolean NOT NULL DEFAULT true,
    created_by      bigint REFERENCES staff (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- The great-circle distance in km (as alerts.geo.geocoding.haversine_km). Not STRICT, so that the
-- planner inlines it (a call per row would cost a third of the matching).
CREATE FUNCTION haversine_km(lat1 double precision, lon1 double precision,
                             lat2 double precision, lon2 double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 2 * 6371.0088 * asin(least(1.0, sqrt(
        sin(radians(lat2 - lat1) / 2) ^ 2
        + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lon2 - lon1) / 2) ^ 2)))
$$;
