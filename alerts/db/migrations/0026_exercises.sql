-- Exercises (issue 20, item 4): a case created as an exercise stays one for ever, and a real case
-- never becomes one; the trigger refuses the change whatever code or person tries it, so that an
-- exercise can never be mistaken for a real alert or turned into one. Volunteers, regional
-- channels and partner webhooks receive exercises only when they opted in (off by default).
ALTER TABLE cases ADD COLUMN exercise boolean NOT NULL DEFAULT false;
ALTER TABLE volunteers ADD COLUMN exercises boolean NOT NULL DEFAULT false;
ALTER TABLE telegram_channels ADD COLUMN exercises boolean NOT NULL DEFAULT false;
ALTER TABLE partner_webhooks ADD COLUMN exercises boolean NOT NULL DEFAULT false;

CREATE FUNCTION cases_exercise_fixed() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.exercise IS DISTINCT FROM OLD.exercise THEN
        RAISE EXCEPTION 'a case is an exercise or a real case from its creation, for ever'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER cases_exercise_fixed BEFORE UPDATE OF exercise ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_exercise_fixed();
