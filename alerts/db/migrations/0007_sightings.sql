-- Sightings reported by the public (web form, JSON) and through the bot, and the bot's
-- conversations that collect one.

-- What a tipster sent, exactly as sent; the point, when there is one; and the triage.
-- Contact fields are NULL for an anonymous report. The photo is only ever the re-encoded JPEG
-- (no EXIF, no GPS). `client_key` is a keyed hash of the sender (IPv4 address, IPv6 /64, or
-- Telegram user): it lets staff see that several reports came from one sender, and is never
-- the address itself.
CREATE TABLE sightings (
    id              bigserial PRIMARY KEY,
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    reference       text NOT NULL UNIQUE,
    source          text NOT NULL CHECK (source IN ('web', 'json', 'telegram')),
    language        text NOT NULL CHECK (language IN ('nl', 'fr', 'de', 'en')),
    seen_at         timestamptz NOT NULL,
    place           text NOT NULL DEFAULT '',
    lat             double precision CHECK (lat BETWEEN -90 AND 90),
    lon             double precision CHECK (lon BETWEEN -180 AND 180),
    -- How the point was found: picked on the map or typed, the device's position, a location
    -- shared on Telegram, or the place text geocoded afterwards.
    point_source    text CHECK (point_source IN ('map', 'device', 'telegram', 'geocoded')),
    -- When the place text was looked up (found or not), so it is looked up once.
    geocoded_at     timestamptz,
    seen            text NOT NULL,
    direction       text NOT NULL DEFAULT '',
    companions      text NOT NULL DEFAULT '',
    photo           bytea CHECK (substring(photo FROM 1 FOR 3) = '\xffd8ff'::bytea),
    contact_name    text,
    contact_phone   text,
    contact_email   text,
    status          text NOT NULL DEFAULT 'new'
                    CHECK (status IN ('new', 'credible', 'not_credible', 'duplicate', 'police')),
    notes           text NOT NULL DEFAULT '',
    -- The smallest id of its group of near-duplicates (itself when alone).
    group_id        bigint,
    client_key      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz,
    updated_by      bigint REFERENCES staff (id),
    CHECK ((lat IS NULL) = (lon IS NULL)),
    CHECK (place <> '' OR lat IS NOT NULL)
);
-- The triage list reads one case's sightings, newest first (the ranking itself is computed:
-- it depends on the case's last-seen point and on the time of reading).
CREATE INDEX sightings_case_idx ON sightings (case_id, id DESC);
-- Place texts still to be looked up.
CREATE INDEX sightings_to_geocode_idx ON sightings (case_id)
    WHERE lat IS NULL AND geocoded_at IS NULL;

-- A sighting being reported through the bot: the case, the step and what was given so far.
-- Forgotten after an hour of silence, or when the report is sent or cancelled.
CREATE TABLE telegram_sightings (
    chat_id         bigint PRIMARY KEY,
    case_id         bigint REFERENCES cases (id) ON DELETE CASCADE,
    step            text NOT NULL,
    data            jsonb NOT NULL DEFAULT '{}',
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX telegram_sightings_updated_idx ON telegram_sightings (updated_at);
