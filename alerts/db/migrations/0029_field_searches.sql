-- Field searches (issue 21): volunteers who opted in and confirmed they are adults are called
-- out to search an area with the police; they answer, check in, search sectors, report finds
-- and check out. Everything here is deleted with the case's purge.

-- The opt-in needs the confirmation of age: a minor cannot join a field search.
ALTER TABLE volunteers
    ADD COLUMN field_searches boolean NOT NULL DEFAULT false,
    ADD COLUMN adult_confirmed_at timestamptz,
    ADD CONSTRAINT volunteers_field_searches_adult
    CHECK (NOT field_searches OR adult_confirmed_at IS NOT NULL);

CREATE TABLE searches (
    id              bigserial PRIMARY KEY,
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    state           text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'ended', 'cancelled')),
    police_liaison  text NOT NULL CHECK (police_liaison <> ''),
    assembly_place  text NOT NULL CHECK (assembly_place <> ''),
    assembly_lat    double precision NOT NULL CHECK (assembly_lat BETWEEN -90 AND 90),
    assembly_lon    double precision NOT NULL CHECK (assembly_lon BETWEEN -180 AND 180),
    assembly_at     timestamptz NOT NULL,
    bring           text NOT NULL DEFAULT '',
    briefing        text NOT NULL CHECK (briefing <> ''),
    coordinator     text NOT NULL DEFAULT '',
    max_searchers   integer NOT NULL CHECK (max_searchers BETWEEN 1 AND 500),
    -- How many answered coming; the row's lock keeps it within max_searchers.
    coming          integer NOT NULL DEFAULT 0 CHECK (coming >= 0 AND coming <= max_searchers),
    created_by      bigint NOT NULL REFERENCES staff (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    ended_at        timestamptz
);
CREATE INDEX searches_case_idx ON searches (case_id);

-- Those called out: their answer, role, check-in and check-out. The position is kept only while
-- checked in (the CHECK), and only the case's staff read it.
CREATE TABLE search_members (
    id              bigserial PRIMARY KEY,
    search_id       bigint NOT NULL REFERENCES searches (id) ON DELETE CASCADE,
    volunteer_id    bigint NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    answer          text CHECK (answer IN ('coming', 'not_coming')),
    team_leader     boolean NOT NULL DEFAULT false,
    answered_at     timestamptz,
    checked_in_at   timestamptz,
    checked_out_at  timestamptz,
    lat             double precision CHECK (lat BETWEEN -90 AND 90),
    lon             double precision CHECK (lon BETWEEN -180 AND 180),
    position_at     timestamptz,
    UNIQUE (search_id, volunteer_id),
    CHECK ((lat IS NULL) = (lon IS NULL)),
    CHECK (lat IS NULL OR (checked_in_at IS NOT NULL AND checked_out_at IS NULL))
);
CREATE INDEX search_members_volunteer_idx ON search_members (volunteer_id);

-- The sectors: a grid around the assembly point, each given to a team leader's team.
CREATE TABLE search_sectors (
    id              bigserial PRIMARY KEY,
    search_id       bigint NOT NULL REFERENCES searches (id) ON DELETE CASCADE,
    label           text NOT NULL,
    south           double precision NOT NULL,
    west            double precision NOT NULL,
    north           double precision NOT NULL,
    east            double precision NOT NULL,
    leader_id       bigint REFERENCES search_members (id) ON DELETE SET NULL,
    searched_at     timestamptz,
    searched_by     bigint REFERENCES search_members (id) ON DELETE SET NULL,
    UNIQUE (search_id, label)
);

-- Finds reported during the search: each is a sighting for staff (alerts.sightings).
CREATE TABLE search_finds (
    sighting_id     bigint PRIMARY KEY REFERENCES sightings (id) ON DELETE CASCADE,
    search_id       bigint NOT NULL REFERENCES searches (id) ON DELETE CASCADE,
    member_id       bigint REFERENCES search_members (id) ON DELETE SET NULL
);
CREATE INDEX search_finds_search_idx ON search_finds (search_id);

-- The search's outbox: a call-out, a change, a cancellation or the end, for one volunteer. The
-- text is made at the send from the search as it is then (no text is stored).
CREATE TABLE search_messages (
    id              bigserial PRIMARY KEY,
    search_id       bigint NOT NULL REFERENCES searches (id) ON DELETE CASCADE,
    volunteer_id    bigint NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('callout', 'changed', 'cancelled', 'ended')),
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX search_messages_due_idx ON search_messages (next_attempt_at) WHERE state = 'pending';
