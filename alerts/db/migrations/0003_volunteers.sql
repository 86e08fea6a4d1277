-- Volunteers who opted in, and the areas (home, work) they watch.

CREATE TABLE volunteers (
    id                  bigserial PRIMARY KEY,
    public_id           text NOT NULL UNIQUE,
    language            text NOT NULL CHECK (language IN ('nl', 'fr', 'de', 'en')),
    telegram_chat_id    bigint UNIQUE,
    email               text UNIQUE CHECK (email = lower(email)),
    email_confirmed_at  timestamptz,
    active              boolean NOT NULL DEFAULT true,
    deactivated_reason  text,
    quiet_start         time,
    quiet_end           time,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (telegram_chat_id IS NOT NULL OR email IS NOT NULL)
);

-- Points are stored rounded to about 1 km (privacy); the radius is the volunteer's own.
CREATE TABLE volunteer_areas (
    id              bigserial PRIMARY KEY,
    volunteer_id    bigint NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    label           text NOT NULL DEFAULT 'home',
    lat             double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon             double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    radius_km       double precision NOT NULL CHECK (radius_km > 0 AND radius_km <= 200),
    UNIQUE (volunteer_id, label)
);
-- The bounding-box prefilter of matching scans this index.
CREATE INDEX volunteer_areas_lat_lon_idx ON volunteer_areas (lat, lon);
CREATE INDEX volunteer_areas_volunteer_idx ON volunteer_areas (volunteer_id);

ALTER TABLE publications
    ADD COLUMN volunteer_id bigint REFERENCES volunteers (id) ON DELETE SET NULL,
    -- Order of sending: for volunteers the distance in km (nearest first).
    ADD COLUMN sort_key double precision NOT NULL DEFAULT 0,
    -- The text that was sent (purged with the case's other personal data).
    ADD COLUMN body text;
CREATE INDEX publications_volunteer_idx ON publications (volunteer_id);
