-- Poster rounds (issue 21): volunteers who opted in to posters put them up in a zone around the
-- place, replace them when a revision changes the poster, and take them down when the case closes
-- or its consent no longer allows posters. Everything here is deleted with the case's purge.

ALTER TABLE volunteers ADD COLUMN posters boolean NOT NULL DEFAULT false;

CREATE TABLE poster_rounds (
    id              bigserial PRIMARY KEY,
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    -- open: posters go up; takedown: each must come down; done: every place removed or handed
    -- to staff with its reason.
    state           text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'takedown', 'done')),
    lat             double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon             double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    radius_km       double precision NOT NULL CHECK (radius_km BETWEEN 0.2 AND 20),
    -- The fingerprint of the poster's public view the members were last asked to put up.
    fingerprint     text NOT NULL,
    revision        integer NOT NULL,
    created_by      bigint NOT NULL REFERENCES staff (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    takedown_at     timestamptz,
    CHECK ((state = 'open') = (takedown_at IS NULL))
);
CREATE INDEX poster_rounds_case_idx ON poster_rounds (case_id);
CREATE INDEX poster_rounds_open_idx ON poster_rounds (state) WHERE state <> 'done';

-- Those asked: their answer and, once accepted, their zone (numbered in order of acceptance;
-- unique, so two volunteers never share one).
CREATE TABLE poster_members (
    id              bigserial PRIMARY KEY,
    round_id        bigint NOT NULL REFERENCES poster_rounds (id) ON DELETE CASCADE,
    volunteer_id    bigint NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    answer          text CHECK (answer IN ('accepted', 'declined')),
    zone            integer CHECK (zone >= 0),
    answered_at     timestamptz,
    replace_asked_at timestamptz,
    replaced_at     timestamptz,
    UNIQUE (round_id, volunteer_id),
    UNIQUE (round_id, zone)
);
CREATE INDEX poster_members_volunteer_idx ON poster_members (volunteer_id);

-- Each place where posters were put up: public places, never a volunteer's address. A place
-- stays when its volunteer deletes their data (member NULL) until staff mark it.
CREATE TABLE poster_places (
    id              bigserial PRIMARY KEY,
    round_id        bigint NOT NULL REFERENCES poster_rounds (id) ON DELETE CASCADE,
    member_id       bigint REFERENCES poster_members (id) ON DELETE SET NULL,
    lat             double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon             double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    count           integer NOT NULL CHECK (count BETWEEN 1 AND 50),
    put_up_at       timestamptz NOT NULL DEFAULT now(),
    removed_at      timestamptz,
    reminded_at     timestamptz,
    reported_at     timestamptz,
    manual_reason   text CHECK (manual_reason IS NULL OR manual_reason <> ''),
    manual_by       bigint REFERENCES staff (id)
);
CREATE INDEX poster_places_round_idx ON poster_places (round_id);

-- The round's outbox: an invitation, a request to replace, a takedown task or its reminder,
-- for one volunteer. The text is made at the send from the round as it is then.
CREATE TABLE poster_messages (
    id              bigserial PRIMARY KEY,
    round_id        bigint NOT NULL REFERENCES poster_rounds (id) ON DELETE CASCADE,
    volunteer_id    bigint NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('invite', 'replace', 'takedown', 'reminder')),
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX poster_messages_due_idx ON poster_messages (next_attempt_at) WHERE state = 'pending';
