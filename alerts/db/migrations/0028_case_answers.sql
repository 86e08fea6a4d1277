-- What each volunteer answered to a case's alert ("I can help", "I am nearby now", "Not
-- available"), the last answer counting. Only the distance ring of the fan-out's row is kept
-- (never the volunteer's point); the purge deletes a case's answers with the rest of its data.
CREATE TABLE case_answers (
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    volunteer_id bigint NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    answer text NOT NULL CHECK (answer IN ('help', 'nearby', 'unavailable')),
    ring text NOT NULL CHECK (ring IN ('0-2', '2-5', '5-10', '10-25', '25+')),
    channel text NOT NULL CHECK (channel IN ('telegram_dm', 'email')),
    answered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, volunteer_id)
);

CREATE INDEX case_answers_volunteer_idx ON case_answers (volunteer_id);

-- Volunteers who signed up, confirmed, came back or moved an area while a case is active: the
-- dispatchers plan the active alerts in reach for them (alerts/outbox/joins.py), the consent's
-- channels and level as the fan-out, nothing they already received. Written by triggers, in
-- the transaction of the change, so that every way of signing up or moving (the bot, the
-- e-mail sign-up, the data page) is covered; only while some case is active.
CREATE TABLE fanout_joins (
    id bigserial PRIMARY KEY,
    volunteer_id bigint NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Statement-level, with transition tables: a COPY of a million areas costs one check, not a
-- million; only the volunteers with an area in reach of an active case are noted.
CREATE FUNCTION alerts_areas_joined() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM cases WHERE state = 'active') THEN
        INSERT INTO fanout_joins (volunteer_id)
        SELECT DISTINCT a.volunteer_id FROM changed_areas a
        WHERE EXISTS (
            SELECT 1 FROM cases c
            WHERE c.state = 'active' AND c.last_seen_lat IS NOT NULL
              AND c.last_seen_lon IS NOT NULL
              AND haversine_km(c.last_seen_lat, c.last_seen_lon, a.lat, a.lon)
                  <= least(a.radius_km, c.search_radius_km));
        IF FOUND THEN
            PERFORM pg_notify('alerts_dispatch', '');
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION alerts_volunteers_reachable() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM cases WHERE state = 'active') THEN
        INSERT INTO fanout_joins (volunteer_id)
        SELECT n.id FROM new_volunteers n JOIN old_volunteers o ON o.id = n.id
        WHERE n.active AND (o.active IS DISTINCT FROM n.active
                            OR o.email_confirmed_at IS DISTINCT FROM n.email_confirmed_at
                            OR o.telegram_chat_id IS DISTINCT FROM n.telegram_chat_id);
        IF FOUND THEN
            PERFORM pg_notify('alerts_dispatch', '');
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER volunteer_areas_added AFTER INSERT ON volunteer_areas
    REFERENCING NEW TABLE AS changed_areas
    FOR EACH STATEMENT EXECUTE FUNCTION alerts_areas_joined();

CREATE TRIGGER volunteer_areas_moved AFTER UPDATE ON volunteer_areas
    REFERENCING NEW TABLE AS changed_areas
    FOR EACH STATEMENT EXECUTE FUNCTION alerts_areas_joined();

CREATE TRIGGER volunteers_reachable AFTER UPDATE ON volunteers
    REFERENCING OLD TABLE AS old_volunteers NEW TABLE AS new_volunteers
    FOR EACH STATEMENT EXECUTE FUNCTION alerts_volunteers_reachable();
