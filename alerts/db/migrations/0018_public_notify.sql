-- The public pages and files each web process keeps ready (alerts/web/public/page_cache.py) are
-- dropped when what they show changes: these triggers send NOTIFY alerts_public '<case id>'
-- inside the transaction that changes the case, its consent, its materials or the state of what
-- it hosts (close, narrowing, revision, images rendered after the approval); PostgreSQL delivers
-- it at the commit, to every web process's listening connection. Notifications of one
-- transaction with the same payload are delivered once. The dispatcher's sends (other channels)
-- do not fire them.
CREATE FUNCTION alerts_public_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed bigint;
BEGIN
    IF TG_TABLE_NAME = 'cases' THEN
        changed := COALESCE(NEW.id, OLD.id);
    ELSIF TG_OP = 'DELETE' THEN
        changed := OLD.case_id;
    ELSE
        changed := NEW.case_id;
    END IF;
    PERFORM pg_notify('alerts_public', changed::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER cases_public_notify AFTER UPDATE OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION alerts_public_notify();

CREATE TRIGGER consents_public_notify AFTER INSERT OR UPDATE OR DELETE ON consents
    FOR EACH ROW EXECUTE FUNCTION alerts_public_notify();

CREATE TRIGGER materials_public_notify AFTER INSERT OR DELETE ON materials
    FOR EACH ROW EXECUTE FUNCTION alerts_public_notify();

CREATE TRIGGER publications_hosted_notify AFTER UPDATE OF state ON publications
    FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state
          AND NEW.channel IN ('case_page', 'poster', 'image', 'feed', 'press'))
    EXECUTE FUNCTION alerts_public_notify();
