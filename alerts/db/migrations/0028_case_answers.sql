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

CREATE FUNCTION alerts_volunteer_joined() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM cases WHERE state = 'active') THEN
        INSERT INTO fanout_joins (volunteer_id) VALUES (NEW.volunteer_id);
        PERFORM pg_notify('alerts_dispatch', '');
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION alerts_volunteer_reachable() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM cases WHERE state = 'active') THEN
        INSERT INTO fanout_joins (volunteer_id) VALUES (NEW.id);
        PERFORM pg_notify('alerts_dispatch', '');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER volunteer_areas_joined AFTER INSERT OR UPDATE OF lat, lon, radius_km
    ON volunteer_areas FOR EACH ROW EXECUTE FUNCTION alerts_volunteer_joined();

CREATE TRIGGER volunteers_reachable AFTER UPDATE OF active, email_confirmed_at, telegram_chat_id
    ON volunteers FOR EACH ROW
    WHEN (NEW.active AND (OLD.active IS DISTINCT FROM NEW.active
                          OR OLD.email_confirmed_at IS DISTINCT FROM NEW.email_confirmed_at
                          OR OLD.telegram_chat_id IS DISTINCT FROM NEW.telegram_chat_id))
    EXECUTE FUNCTION alerts_volunteer_reachable();
