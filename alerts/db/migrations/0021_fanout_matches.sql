-- The first message does not wait for the millionth (issue 18): the approval matches only the
-- nearest volunteers, found straight from a nearest-neighbour (KNN) index on the areas' points,
-- and leaves the rest of the matching to the dispatchers after its commit as a `fanout_matches`
-- row: the case, revision, channels, point and radius, and where the approval stopped (the key
-- (distance, volunteer id) of the last volunteer it matched). A dispatcher matches the rest in
-- one transaction and deletes the row in it, so a process dying mid-matching loses nobody.
CREATE INDEX volunteer_areas_point_idx ON volunteer_areas USING gist (point(lon, lat));

CREATE TABLE fanout_matches (
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    revision integer NOT NULL,
    channels text[] NOT NULL,
    override_quiet boolean NOT NULL,
    lat double precision NOT NULL,
    lon double precision NOT NULL,
    radius_km double precision NOT NULL,
    batch_size integer NOT NULL CHECK (batch_size > 0),
    -- the key of the last volunteer the approval matched; NULL: none
    after_distance double precision,
    after_volunteer bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, revision)
);
