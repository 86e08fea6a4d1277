-- The schema the migrations in alerts/db/migrations produce, for reading (the service itself
-- migrates). Written by scripts/schema_sql.py; tests/integration/test_schema.py checks it.

CREATE FUNCTION public.alerts_areas_joined() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.alerts_public_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.alerts_volunteers_reachable() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION public.cases_exercise_fixed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.exercise IS DISTINCT FROM OLD.exercise THEN
        RAISE EXCEPTION 'a case is an exercise or a real case from its creation, for ever'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION public.haversine_km(lat1 double precision, lon1 double precision, lat2 double precision, lon2 double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT 2 * 6371.0088 * asin(least(1.0, sqrt(
        sin(radians(lat2 - lat1) / 2) ^ 2
        + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lon2 - lon1) / 2) ^ 2)))
$$;

CREATE TABLE public.api_tokens (
    id bigint NOT NULL,
    name text NOT NULL,
    token_hash text NOT NULL,
    staff_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    expires_at timestamp with time zone NOT NULL,
    scopes text[] NOT NULL,
    created_by bigint,
    CONSTRAINT api_tokens_scopes_check CHECK (((cardinality(scopes) > 0) AND (scopes <@ '{read,write,approve}'::text[])))
);

CREATE SEQUENCE public.api_tokens_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.api_tokens_id_seq OWNED BY public.api_tokens.id;

CREATE TABLE public.audit_log (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    staff_id bigint,
    action text NOT NULL,
    case_id bigint,
    details jsonb DEFAULT '{}'::jsonb NOT NULL
);

CREATE SEQUENCE public.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.audit_log_id_seq OWNED BY public.audit_log.id;

CREATE TABLE public.cap_messages (
    identifier text NOT NULL,
    case_id bigint NOT NULL,
    revision integer,
    msg_type text NOT NULL,
    sent timestamp with time zone NOT NULL,
    xml bytea NOT NULL,
    CONSTRAINT cap_messages_msg_type_check CHECK ((msg_type = ANY (ARRAY['Alert'::text, 'Update'::text, 'Cancel'::text])))
);

CREATE TABLE public.case_answers (
    case_id bigint NOT NULL,
    volunteer_id bigint NOT NULL,
    answer text NOT NULL,
    ring text NOT NULL,
    channel text NOT NULL,
    answered_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT case_answers_answer_check CHECK ((answer = ANY (ARRAY['help'::text, 'nearby'::text, 'unavailable'::text]))),
    CONSTRAINT case_answers_channel_check CHECK ((channel = ANY (ARRAY['telegram_dm'::text, 'email'::text]))),
    CONSTRAINT case_answers_ring_check CHECK ((ring = ANY (ARRAY['0-2'::text, '2-5'::text, '5-10'::text, '10-25'::text, '25+'::text])))
);

CREATE TABLE public.case_proposals (
    id bigint NOT NULL,
    case_id bigint NOT NULL,
    kind text NOT NULL,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    photo_jpeg bytea,
    photo_width integer,
    photo_height integer,
    photo_sha256 text,
    state text DEFAULT 'pending'::text NOT NULL,
    proposed_by bigint NOT NULL,
    proposed_at timestamp with time zone DEFAULT now() NOT NULL,
    decided_by bigint,
    decided_at timestamp with time zone,
    fingerprint text,
    CONSTRAINT case_proposals_check CHECK (((kind = 'photo'::text) = (photo_jpeg IS NOT NULL))),
    CONSTRAINT case_proposals_check1 CHECK (((state = 'pending'::text) = (decided_at IS NULL))),
    CONSTRAINT case_proposals_kind_check CHECK ((kind = ANY (ARRAY['fields'::text, 'consent'::text, 'photo'::text, 'renewal'::text]))),
    CONSTRAINT case_proposals_state_check CHECK ((state = ANY (ARRAY['pending'::text, 'approved'::text, 'rejected'::text])))
);

CREATE SEQUENCE public.case_proposals_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.case_proposals_id_seq OWNED BY public.case_proposals.id;

CREATE SEQUENCE public.case_reference_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE TABLE public.case_revisions (
    case_id bigint NOT NULL,
    number integer NOT NULL,
    snapshot jsonb NOT NULL,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.cases (
    id bigint NOT NULL,
    public_id text NOT NULL,
    reference text NOT NULL,
    state text DEFAULT 'draft'::text NOT NULL,
    kind text NOT NULL,
    revision integer DEFAULT 0 NOT NULL,
    first_name text DEFAULT ''::text NOT NULL,
    last_name text DEFAULT ''::text NOT NULL,
    age integer,
    sex text,
    height_cm integer,
    build text DEFAULT ''::text NOT NULL,
    hair text DEFAULT ''::text NOT NULL,
    eyes text DEFAULT ''::text NOT NULL,
    clothing text DEFAULT ''::text NOT NULL,
    marks text DEFAULT ''::text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    last_seen_at timestamp with time zone,
    last_seen_place text DEFAULT ''::text NOT NULL,
    last_seen_lat double precision,
    last_seen_lon double precision,
    search_radius_km double precision DEFAULT 10 NOT NULL,
    languages text[] DEFAULT ARRAY['nl'::text, 'fr'::text, 'de'::text, 'en'::text] NOT NULL,
    police_reference text DEFAULT ''::text NOT NULL,
    created_by bigint NOT NULL,
    submitted_by bigint,
    approved_by bigint,
    closed_by bigint,
    close_reason text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    submitted_at timestamp with time zone,
    approved_at timestamp with time zone,
    closed_at timestamp with time zone,
    purged_at timestamp with time zone,
    exercise boolean DEFAULT false NOT NULL,
    level_expires_at timestamp with time zone,
    level_reminded_at timestamp with time zone,
    level_period integer DEFAULT 1 NOT NULL,
    CONSTRAINT cases_age_check CHECK (((age >= 0) AND (age <= 25))),
    CONSTRAINT cases_height_cm_check CHECK (((height_cm >= 30) AND (height_cm <= 230))),
    CONSTRAINT cases_kind_check CHECK ((kind = ANY (ARRAY['runaway'::text, 'parental_abduction'::text, 'third_party_abduction'::text, 'lost_injured'::text, 'unaccompanied_minor'::text]))),
    CONSTRAINT cases_last_seen_lat_check CHECK (((last_seen_lat >= ('-90'::integer)::double precision) AND (last_seen_lat <= (90)::double precision))),
    CONSTRAINT cases_last_seen_lon_check CHECK (((last_seen_lon >= ('-180'::integer)::double precision) AND (last_seen_lon <= (180)::double precision))),
    CONSTRAINT cases_level_period_check CHECK ((level_period >= 1)),
    CONSTRAINT cases_search_radius_km_check CHECK ((search_radius_km > (0)::double precision)),
    CONSTRAINT cases_sex_check CHECK ((sex = ANY (ARRAY['female'::text, 'male'::text, 'other'::text]))),
    CONSTRAINT cases_state_check CHECK ((state = ANY (ARRAY['draft'::text, 'pending_approval'::text, 'active'::text, 'closed'::text])))
);

CREATE SEQUENCE public.cases_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.cases_id_seq OWNED BY public.cases.id;

CREATE TABLE public.consents (
    id bigint NOT NULL,
    case_id bigint NOT NULL,
    given_by text NOT NULL,
    relation text NOT NULL,
    given_at timestamp with time zone NOT NULL,
    recorded_by bigint,
    valid_until timestamp with time zone,
    level integer NOT NULL,
    photo boolean NOT NULL,
    name_mode text NOT NULL,
    place_precision text NOT NULL,
    forwarding boolean NOT NULL,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT consents_level_check CHECK (((level >= 0) AND (level <= 3))),
    CONSTRAINT consents_name_mode_check CHECK ((name_mode = ANY (ARRAY['full'::text, 'first'::text, 'none'::text]))),
    CONSTRAINT consents_place_precision_check CHECK ((place_precision = ANY (ARRAY['exact'::text, 'municipality'::text, 'province'::text])))
);

CREATE SEQUENCE public.consents_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.consents_id_seq OWNED BY public.consents.id;

CREATE TABLE public.fanout_batches (
    case_id bigint NOT NULL,
    revision integer NOT NULL,
    seq integer NOT NULL,
    channels text[] NOT NULL,
    override_quiet boolean NOT NULL,
    volunteer_ids bigint[] NOT NULL,
    distances double precision[] NOT NULL,
    messages integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT fanout_batches_check CHECK ((cardinality(volunteer_ids) = cardinality(distances)))
);
ALTER TABLE ONLY public.fanout_batches ALTER COLUMN volunteer_ids SET STORAGE EXTERNAL;
ALTER TABLE ONLY public.fanout_batches ALTER COLUMN distances SET STORAGE EXTERNAL;

CREATE TABLE public.fanout_joins (
    id bigint NOT NULL,
    volunteer_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE public.fanout_joins_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.fanout_joins_id_seq OWNED BY public.fanout_joins.id;

CREATE TABLE public.fanout_matches (
    case_id bigint NOT NULL,
    revision integer NOT NULL,
    channels text[] NOT NULL,
    override_quiet boolean NOT NULL,
    lat double precision NOT NULL,
    lon double precision NOT NULL,
    radius_km double precision NOT NULL,
    batch_size integer NOT NULL,
    after_distance double precision,
    after_volunteer bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT fanout_matches_batch_size_check CHECK ((batch_size > 0))
);

CREATE TABLE public.login_attempts (
    key_hash text NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.materials (
    case_id bigint NOT NULL,
    revision integer NOT NULL,
    kind text NOT NULL,
    language text NOT NULL,
    content_type text NOT NULL,
    data bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT materials_kind_check CHECK ((kind = ANY (ARRAY['poster'::text, 'square'::text, 'story'::text]))),
    CONSTRAINT materials_language_check CHECK ((language = ANY (ARRAY['nl'::text, 'fr'::text, 'de'::text, 'en'::text, 'nl-fr'::text])))
);

CREATE TABLE public.partner_webhooks (
    id bigint NOT NULL,
    name text NOT NULL,
    url text NOT NULL,
    secret text NOT NULL,
    format text NOT NULL,
    language text DEFAULT 'en'::text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    exercises boolean DEFAULT false NOT NULL,
    CONSTRAINT partner_webhooks_format_check CHECK ((format = ANY (ARRAY['json'::text, 'cap'::text]))),
    CONSTRAINT partner_webhooks_language_check CHECK ((language = ANY (ARRAY['nl'::text, 'fr'::text, 'de'::text, 'en'::text]))),
    CONSTRAINT partner_webhooks_secret_check CHECK ((length(secret) >= 16)),
    CONSTRAINT partner_webhooks_url_check CHECK ((url ~ '^https?://'::text))
);

CREATE SEQUENCE public.partner_webhooks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.partner_webhooks_id_seq OWNED BY public.partner_webhooks.id;

CREATE TABLE public.peer_cases (
    case_id bigint NOT NULL,
    peer_id bigint NOT NULL,
    remote_identifier text NOT NULL
);

CREATE TABLE public.peer_messages (
    peer_id bigint NOT NULL,
    identifier text NOT NULL,
    msg_type text NOT NULL,
    case_id bigint NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT peer_messages_msg_type_check CHECK ((msg_type = ANY (ARRAY['Alert'::text, 'Update'::text, 'Cancel'::text])))
);

CREATE TABLE public.peer_offers (
    case_id bigint NOT NULL,
    peer_id bigint NOT NULL,
    offered_by bigint NOT NULL,
    offered_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.peers (
    id bigint NOT NULL,
    name text NOT NULL,
    display_name text NOT NULL,
    sender text NOT NULL,
    url text NOT NULL,
    certificate text NOT NULL,
    staff_id bigint NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT peers_display_name_check CHECK (((length(display_name) >= 1) AND (length(display_name) <= 200))),
    CONSTRAINT peers_name_check CHECK ((name ~ '^[a-z0-9-]{2,40}$'::text)),
    CONSTRAINT peers_sender_check CHECK (((length(sender) >= 1) AND (length(sender) <= 255))),
    CONSTRAINT peers_url_check CHECK ((url ~ '^https?://'::text))
);

CREATE SEQUENCE public.peers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.peers_id_seq OWNED BY public.peers.id;

CREATE TABLE public.photos (
    id bigint NOT NULL,
    public_id text NOT NULL,
    case_id bigint NOT NULL,
    jpeg bytea NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    sha256 text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE public.photos_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.photos_id_seq OWNED BY public.photos.id;

CREATE TABLE public.poster_members (
    id bigint NOT NULL,
    round_id bigint NOT NULL,
    volunteer_id bigint NOT NULL,
    answer text,
    zone integer,
    answered_at timestamp with time zone,
    replace_asked_at timestamp with time zone,
    replaced_at timestamp with time zone,
    CONSTRAINT poster_members_answer_check CHECK ((answer = ANY (ARRAY['accepted'::text, 'declined'::text]))),
    CONSTRAINT poster_members_zone_check CHECK ((zone >= 0))
);

CREATE SEQUENCE public.poster_members_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.poster_members_id_seq OWNED BY public.poster_members.id;

CREATE TABLE public.poster_messages (
    id bigint NOT NULL,
    round_id bigint NOT NULL,
    volunteer_id bigint NOT NULL,
    kind text NOT NULL,
    state text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone,
    CONSTRAINT poster_messages_kind_check CHECK ((kind = ANY (ARRAY['invite'::text, 'replace'::text, 'takedown'::text, 'reminder'::text]))),
    CONSTRAINT poster_messages_state_check CHECK ((state = ANY (ARRAY['pending'::text, 'sent'::text, 'failed'::text, 'cancelled'::text])))
);

CREATE SEQUENCE public.poster_messages_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.poster_messages_id_seq OWNED BY public.poster_messages.id;

CREATE TABLE public.poster_places (
    id bigint NOT NULL,
    round_id bigint NOT NULL,
    member_id bigint,
    lat double precision NOT NULL,
    lon double precision NOT NULL,
    count integer NOT NULL,
    put_up_at timestamp with time zone DEFAULT now() NOT NULL,
    removed_at timestamp with time zone,
    reminded_at timestamp with time zone,
    reported_at timestamp with time zone,
    manual_reason text,
    manual_by bigint,
    CONSTRAINT poster_places_count_check CHECK (((count >= 1) AND (count <= 50))),
    CONSTRAINT poster_places_lat_check CHECK (((lat >= ('-90'::integer)::double precision) AND (lat <= (90)::double precision))),
    CONSTRAINT poster_places_lon_check CHECK (((lon >= ('-180'::integer)::double precision) AND (lon <= (180)::double precision))),
    CONSTRAINT poster_places_manual_reason_check CHECK (((manual_reason IS NULL) OR (manual_reason <> ''::text)))
);

CREATE SEQUENCE public.poster_places_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.poster_places_id_seq OWNED BY public.poster_places.id;

CREATE TABLE public.poster_rounds (
    id bigint NOT NULL,
    case_id bigint NOT NULL,
    state text DEFAULT 'open'::text NOT NULL,
    lat double precision NOT NULL,
    lon double precision NOT NULL,
    radius_km double precision NOT NULL,
    fingerprint text NOT NULL,
    revision integer NOT NULL,
    created_by bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    takedown_at timestamp with time zone,
    CONSTRAINT poster_rounds_check CHECK (((state = 'open'::text) = (takedown_at IS NULL))),
    CONSTRAINT poster_rounds_lat_check CHECK (((lat >= ('-90'::integer)::double precision) AND (lat <= (90)::double precision))),
    CONSTRAINT poster_rounds_lon_check CHECK (((lon >= ('-180'::integer)::double precision) AND (lon <= (180)::double precision))),
    CONSTRAINT poster_rounds_radius_km_check CHECK (((radius_km >= (0.2)::double precision) AND (radius_km <= (20)::double precision))),
    CONSTRAINT poster_rounds_state_check CHECK ((state = ANY (ARRAY['open'::text, 'takedown'::text, 'done'::text])))
);

CREATE SEQUENCE public.poster_rounds_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.poster_rounds_id_seq OWNED BY public.poster_rounds.id;

CREATE TABLE public.press_confirmations (
    id bigint NOT NULL,
    token_hash text NOT NULL,
    email text,
    outlet text,
    name text,
    language text NOT NULL,
    client_key text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    CONSTRAINT press_confirmations_email_check CHECK ((email = lower(email))),
    CONSTRAINT press_confirmations_language_check CHECK ((language = ANY (ARRAY['nl'::text, 'fr'::text, 'de'::text, 'en'::text])))
);

CREATE SEQUENCE public.press_confirmations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.press_confirmations_id_seq OWNED BY public.press_confirmations.id;

CREATE TABLE public.press_contacts (
    id bigint NOT NULL,
    outlet text NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    email text NOT NULL,
    language text DEFAULT 'en'::text NOT NULL,
    confirm_token_hash text,
    confirmed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT press_contacts_email_check CHECK ((email = lower(email))),
    CONSTRAINT press_contacts_language_check CHECK ((language = ANY (ARRAY['nl'::text, 'fr'::text, 'de'::text, 'en'::text])))
);

CREATE SEQUENCE public.press_contacts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.press_contacts_id_seq OWNED BY public.press_contacts.id;

CREATE TABLE public.press_downloads (
    id bigint NOT NULL,
    contact_id bigint NOT NULL,
    case_id bigint NOT NULL,
    material text NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    revision integer
);

CREATE SEQUENCE public.press_downloads_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.press_downloads_id_seq OWNED BY public.press_downloads.id;

CREATE TABLE public.press_removal_requests (
    case_id bigint NOT NULL,
    contact_id bigint NOT NULL,
    sent_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.publications (
    id bigint NOT NULL,
    case_id bigint NOT NULL,
    revision integer NOT NULL,
    channel text NOT NULL,
    target text NOT NULL,
    language text,
    address text,
    external_id text,
    state text DEFAULT 'pending'::text NOT NULL,
    end_reason text,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    claimed_by text,
    claimed_at timestamp with time zone,
    last_error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone,
    ended_at timestamp with time zone,
    volunteer_id bigint,
    sort_key double precision DEFAULT 0 NOT NULL,
    body text,
    edits_id bigint,
    media text,
    withdraw_attempts integer DEFAULT 0 NOT NULL,
    confirmed_by bigint,
    confirmed_at timestamp with time zone,
    protected boolean,
    CONSTRAINT publications_state_check CHECK ((state = ANY (ARRAY['pending'::text, 'sending'::text, 'sent'::text, 'failed'::text, 'cancelled'::text, 'withdrawing'::text, 'withdrawn'::text, 'neutralised'::text, 'manual'::text, 'superseded'::text])))
);

CREATE SEQUENCE public.publications_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.publications_id_seq OWNED BY public.publications.id;

CREATE TABLE public.purge_records (
    case_id bigint NOT NULL,
    reference text NOT NULL,
    kind text NOT NULL,
    close_reason text,
    approved_at timestamp with time zone,
    closed_at timestamp with time zone NOT NULL,
    purged_at timestamp with time zone DEFAULT now() NOT NULL,
    counts jsonb NOT NULL
);

CREATE UNLOGGED TABLE public.rate_buckets (
    key text NOT NULL,
    rate double precision NOT NULL,
    lookahead double precision NOT NULL,
    tokens double precision NOT NULL,
    updated_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    paused_until timestamp with time zone,
    CONSTRAINT rate_buckets_lookahead_check CHECK ((lookahead >= (1)::double precision)),
    CONSTRAINT rate_buckets_rate_check CHECK ((rate > (0)::double precision))
);

CREATE UNLOGGED TABLE public.rate_shares (
    key text NOT NULL,
    holder text NOT NULL,
    claim integer NOT NULL,
    demand boolean NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT rate_shares_claim_check CHECK ((claim >= 0))
);

CREATE TABLE public.scheduler_runs (
    job text NOT NULL,
    last_run_at timestamp with time zone NOT NULL,
    result jsonb DEFAULT '{}'::jsonb NOT NULL
);

CREATE TABLE public.schema_migrations (
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.search_finds (
    sighting_id bigint NOT NULL,
    search_id bigint NOT NULL,
    member_id bigint
);

CREATE TABLE public.search_members (
    id bigint NOT NULL,
    search_id bigint NOT NULL,
    volunteer_id bigint NOT NULL,
    answer text,
    team_leader boolean DEFAULT false NOT NULL,
    answered_at timestamp with time zone,
    checked_in_at timestamp with time zone,
    checked_out_at timestamp with time zone,
    lat double precision,
    lon double precision,
    position_at timestamp with time zone,
    CONSTRAINT search_members_answer_check CHECK ((answer = ANY (ARRAY['coming'::text, 'not_coming'::text]))),
    CONSTRAINT search_members_check CHECK (((lat IS NULL) = (lon IS NULL))),
    CONSTRAINT search_members_check1 CHECK (((lat IS NULL) OR ((checked_in_at IS NOT NULL) AND (checked_out_at IS NULL)))),
    CONSTRAINT search_members_lat_check CHECK (((lat >= ('-90'::integer)::double precision) AND (lat <= (90)::double precision))),
    CONSTRAINT search_members_lon_check CHECK (((lon >= ('-180'::integer)::double precision) AND (lon <= (180)::double precision)))
);

CREATE SEQUENCE public.search_members_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.search_members_id_seq OWNED BY public.search_members.id;

CREATE TABLE public.search_messages (
    id bigint NOT NULL,
    search_id bigint NOT NULL,
    volunteer_id bigint NOT NULL,
    kind text NOT NULL,
    state text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone,
    CONSTRAINT search_messages_kind_check CHECK ((kind = ANY (ARRAY['callout'::text, 'changed'::text, 'cancelled'::text, 'ended'::text]))),
    CONSTRAINT search_messages_state_check CHECK ((state = ANY (ARRAY['pending'::text, 'sent'::text, 'failed'::text, 'cancelled'::text])))
);

CREATE SEQUENCE public.search_messages_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.search_messages_id_seq OWNED BY public.search_messages.id;

CREATE TABLE public.search_sectors (
    id bigint NOT NULL,
    search_id bigint NOT NULL,
    label text NOT NULL,
    south double precision NOT NULL,
    west double precision NOT NULL,
    north double precision NOT NULL,
    east double precision NOT NULL,
    leader_id bigint,
    searched_at timestamp with time zone,
    searched_by bigint
);

CREATE SEQUENCE public.search_sectors_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.search_sectors_id_seq OWNED BY public.search_sectors.id;

CREATE TABLE public.searches (
    id bigint NOT NULL,
    case_id bigint NOT NULL,
    state text DEFAULT 'open'::text NOT NULL,
    police_liaison text NOT NULL,
    assembly_place text NOT NULL,
    assembly_lat double precision NOT NULL,
    assembly_lon double precision NOT NULL,
    assembly_at timestamp with time zone NOT NULL,
    bring text DEFAULT ''::text NOT NULL,
    briefing text NOT NULL,
    coordinator text DEFAULT ''::text NOT NULL,
    max_searchers integer NOT NULL,
    coming integer DEFAULT 0 NOT NULL,
    created_by bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    ended_at timestamp with time zone,
    CONSTRAINT searches_assembly_lat_check CHECK (((assembly_lat >= ('-90'::integer)::double precision) AND (assembly_lat <= (90)::double precision))),
    CONSTRAINT searches_assembly_lon_check CHECK (((assembly_lon >= ('-180'::integer)::double precision) AND (assembly_lon <= (180)::double precision))),
    CONSTRAINT searches_assembly_place_check CHECK ((assembly_place <> ''::text)),
    CONSTRAINT searches_briefing_check CHECK ((briefing <> ''::text)),
    CONSTRAINT searches_check CHECK (((coming >= 0) AND (coming <= max_searchers))),
    CONSTRAINT searches_max_searchers_check CHECK (((max_searchers >= 1) AND (max_searchers <= 500))),
    CONSTRAINT searches_police_liaison_check CHECK ((police_liaison <> ''::text)),
    CONSTRAINT searches_state_check CHECK ((state = ANY (ARRAY['open'::text, 'ended'::text, 'cancelled'::text])))
);

CREATE SEQUENCE public.searches_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.searches_id_seq OWNED BY public.searches.id;

CREATE TABLE public.sightings (
    id bigint NOT NULL,
    case_id bigint NOT NULL,
    reference text NOT NULL,
    source text NOT NULL,
    language text NOT NULL,
    seen_at timestamp with time zone NOT NULL,
    place text DEFAULT ''::text NOT NULL,
    lat double precision,
    lon double precision,
    point_source text,
    geocoded_at timestamp with time zone,
    seen text NOT NULL,
    direction text DEFAULT ''::text NOT NULL,
    companions text DEFAULT ''::text NOT NULL,
    photo bytea,
    contact_name text,
    contact_phone text,
    contact_email text,
    status text DEFAULT 'new'::text NOT NULL,
    notes text DEFAULT ''::text NOT NULL,
    group_id bigint,
    client_key text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone,
    updated_by bigint,
    point_precision text DEFAULT 'unknown'::text NOT NULL,
    CONSTRAINT sightings_check CHECK (((lat IS NULL) = (lon IS NULL))),
    CONSTRAINT sightings_check1 CHECK (((place <> ''::text) OR (lat IS NOT NULL))),
    CONSTRAINT sightings_language_check CHECK ((language = ANY (ARRAY['nl'::text, 'fr'::text, 'de'::text, 'en'::text]))),
    CONSTRAINT sightings_lat_check CHECK (((lat >= ('-90'::integer)::double precision) AND (lat <= (90)::double precision))),
    CONSTRAINT sightings_lon_check CHECK (((lon >= ('-180'::integer)::double precision) AND (lon <= (180)::double precision))),
    CONSTRAINT sightings_photo_check CHECK ((SUBSTRING(photo FROM 1 FOR 3) = '\xffd8ff'::bytea)),
    CONSTRAINT sightings_point_precision_check CHECK ((point_precision = ANY (ARRAY['exact'::text, 'street'::text, 'municipality'::text, 'unknown'::text]))),
    CONSTRAINT sightings_point_source_check CHECK ((point_source = ANY (ARRAY['map'::text, 'device'::text, 'telegram'::text, 'geocoded'::text]))),
    CONSTRAINT sightings_precision_point CHECK (((point_precision = 'unknown'::text) = (lat IS NULL))),
    CONSTRAINT sightings_source_check CHECK ((source = ANY (ARRAY['web'::text, 'json'::text, 'telegram'::text]))),
    CONSTRAINT sightings_status_check CHECK ((status = ANY (ARRAY['new'::text, 'credible'::text, 'not_credible'::text, 'duplicate'::text, 'police'::text])))
);

CREATE SEQUENCE public.sightings_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.sightings_id_seq OWNED BY public.sightings.id;

CREATE TABLE public.staff (
    id bigint NOT NULL,
    username text NOT NULL,
    display_name text NOT NULL,
    role text NOT NULL,
    password_hash text NOT NULL,
    totp_secret text,
    language text,
    active boolean DEFAULT true NOT NULL,
    failed_logins integer DEFAULT 0 NOT NULL,
    locked_until timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    password_attempt_at timestamp with time zone,
    email text,
    CONSTRAINT staff_email_check CHECK (((email IS NULL) OR (email ~ '^[^@\s]+@[^@\s]+$'::text))),
    CONSTRAINT staff_language_check CHECK ((language = ANY (ARRAY['nl'::text, 'fr'::text, 'de'::text, 'en'::text]))),
    CONSTRAINT staff_role_check CHECK ((role = ANY (ARRAY['case_manager'::text, 'supervisor'::text, 'admin'::text]))),
    CONSTRAINT staff_username_check CHECK ((username ~ '^[a-z0-9._-]{2,64}$'::text))
);

CREATE SEQUENCE public.staff_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.staff_id_seq OWNED BY public.staff.id;

CREATE TABLE public.staff_sessions (
    token_hash text NOT NULL,
    staff_id bigint NOT NULL,
    csrf_token text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    reauth_at timestamp with time zone
);

CREATE TABLE public.telegram_channels (
    id bigint NOT NULL,
    name text NOT NULL,
    chat_id text NOT NULL,
    language text NOT NULL,
    lat double precision NOT NULL,
    lon double precision NOT NULL,
    radius_km double precision NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    exercises boolean DEFAULT false NOT NULL,
    CONSTRAINT telegram_channels_chat_id_check CHECK ((chat_id ~ '^(-?[0-9]+|@[A-Za-z0-9_]{5,32})$'::text)),
    CONSTRAINT telegram_channels_language_check CHECK ((language = ANY (ARRAY['nl'::text, 'fr'::text, 'de'::text, 'en'::text]))),
    CONSTRAINT telegram_channels_lat_check CHECK (((lat >= ('-90'::integer)::double precision) AND (lat <= (90)::double precision))),
    CONSTRAINT telegram_channels_lon_check CHECK (((lon >= ('-180'::integer)::double precision) AND (lon <= (180)::double precision))),
    CONSTRAINT telegram_channels_radius_km_check CHECK (((radius_km > (0)::double precision) AND (radius_km <= (500)::double precision)))
);

CREATE SEQUENCE public.telegram_channels_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.telegram_channels_id_seq OWNED BY public.telegram_channels.id;

CREATE TABLE public.telegram_conversations (
    chat_id bigint NOT NULL,
    step text NOT NULL,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.telegram_files (
    case_id bigint NOT NULL,
    revision integer NOT NULL,
    material text NOT NULL,
    file_id text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.telegram_sightings (
    chat_id bigint NOT NULL,
    case_id bigint,
    step text NOT NULL,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.telegram_updates (
    bot_id bigint NOT NULL,
    update_id bigint NOT NULL,
    taken_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.volunteer_areas (
    id bigint NOT NULL,
    volunteer_id bigint NOT NULL,
    label text DEFAULT 'home'::text NOT NULL,
    lat double precision NOT NULL,
    lon double precision NOT NULL,
    radius_km double precision NOT NULL,
    CONSTRAINT volunteer_areas_lat_check CHECK (((lat >= ('-90'::integer)::double precision) AND (lat <= (90)::double precision))),
    CONSTRAINT volunteer_areas_lon_check CHECK (((lon >= ('-180'::integer)::double precision) AND (lon <= (180)::double precision))),
    CONSTRAINT volunteer_areas_radius_km_check CHECK (((radius_km > (0)::double precision) AND (radius_km <= (200)::double precision)))
);

CREATE SEQUENCE public.volunteer_areas_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.volunteer_areas_id_seq OWNED BY public.volunteer_areas.id;

CREATE TABLE public.volunteer_manage_links (
    id bigint NOT NULL,
    token_hash text,
    volunteer_id bigint,
    client_key text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone
);

CREATE SEQUENCE public.volunteer_manage_links_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.volunteer_manage_links_id_seq OWNED BY public.volunteer_manage_links.id;

CREATE TABLE public.volunteer_signups (
    id bigint NOT NULL,
    token_hash text NOT NULL,
    email text,
    language text NOT NULL,
    areas jsonb,
    quiet_start time without time zone,
    quiet_end time without time zone,
    client_key text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    CONSTRAINT volunteer_signups_email_check CHECK ((email = lower(email))),
    CONSTRAINT volunteer_signups_language_check CHECK ((language = ANY (ARRAY['nl'::text, 'fr'::text, 'de'::text, 'en'::text])))
);

CREATE SEQUENCE public.volunteer_signups_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.volunteer_signups_id_seq OWNED BY public.volunteer_signups.id;

CREATE TABLE public.volunteers (
    id bigint NOT NULL,
    public_id text NOT NULL,
    language text NOT NULL,
    telegram_chat_id bigint,
    email text,
    email_confirmed_at timestamp with time zone,
    active boolean DEFAULT true NOT NULL,
    deactivated_reason text,
    quiet_start time without time zone,
    quiet_end time without time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    exercises boolean DEFAULT false NOT NULL,
    field_searches boolean DEFAULT false NOT NULL,
    adult_confirmed_at timestamp with time zone,
    posters boolean DEFAULT false NOT NULL,
    CONSTRAINT volunteers_check CHECK (((telegram_chat_id IS NOT NULL) OR (email IS NOT NULL))),
    CONSTRAINT volunteers_email_check CHECK ((email = lower(email))),
    CONSTRAINT volunteers_field_searches_adult CHECK (((NOT field_searches) OR (adult_confirmed_at IS NOT NULL))),
    CONSTRAINT volunteers_language_check CHECK ((language = ANY (ARRAY['nl'::text, 'fr'::text, 'de'::text, 'en'::text]))),
    CONSTRAINT volunteers_quiet_hours_pair CHECK ((((quiet_start IS NULL) = (quiet_end IS NULL)) AND ((quiet_start IS NULL) OR (quiet_start <> quiet_end))))
);

CREATE SEQUENCE public.volunteers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.volunteers_id_seq OWNED BY public.volunteers.id;

ALTER TABLE ONLY public.api_tokens ALTER COLUMN id SET DEFAULT nextval('public.api_tokens_id_seq'::regclass);

ALTER TABLE ONLY public.audit_log ALTER COLUMN id SET DEFAULT nextval('public.audit_log_id_seq'::regclass);

ALTER TABLE ONLY public.case_proposals ALTER COLUMN id SET DEFAULT nextval('public.case_proposals_id_seq'::regclass);

ALTER TABLE ONLY public.cases ALTER COLUMN id SET DEFAULT nextval('public.cases_id_seq'::regclass);

ALTER TABLE ONLY public.consents ALTER COLUMN id SET DEFAULT nextval('public.consents_id_seq'::regclass);

ALTER TABLE ONLY public.fanout_joins ALTER COLUMN id SET DEFAULT nextval('public.fanout_joins_id_seq'::regclass);

ALTER TABLE ONLY public.partner_webhooks ALTER COLUMN id SET DEFAULT nextval('public.partner_webhooks_id_seq'::regclass);

ALTER TABLE ONLY public.peers ALTER COLUMN id SET DEFAULT nextval('public.peers_id_seq'::regclass);

ALTER TABLE ONLY public.photos ALTER COLUMN id SET DEFAULT nextval('public.photos_id_seq'::regclass);

ALTER TABLE ONLY public.poster_members ALTER COLUMN id SET DEFAULT nextval('public.poster_members_id_seq'::regclass);

ALTER TABLE ONLY public.poster_messages ALTER COLUMN id SET DEFAULT nextval('public.poster_messages_id_seq'::regclass);

ALTER TABLE ONLY public.poster_places ALTER COLUMN id SET DEFAULT nextval('public.poster_places_id_seq'::regclass);

ALTER TABLE ONLY public.poster_rounds ALTER COLUMN id SET DEFAULT nextval('public.poster_rounds_id_seq'::regclass);

ALTER TABLE ONLY public.press_confirmations ALTER COLUMN id SET DEFAULT nextval('public.press_confirmations_id_seq'::regclass);

ALTER TABLE ONLY public.press_contacts ALTER COLUMN id SET DEFAULT nextval('public.press_contacts_id_seq'::regclass);

ALTER TABLE ONLY public.press_downloads ALTER COLUMN id SET DEFAULT nextval('public.press_downloads_id_seq'::regclass);

ALTER TABLE ONLY public.publications ALTER COLUMN id SET DEFAULT nextval('public.publications_id_seq'::regclass);

ALTER TABLE ONLY public.search_members ALTER COLUMN id SET DEFAULT nextval('public.search_members_id_seq'::regclass);

ALTER TABLE ONLY public.search_messages ALTER COLUMN id SET DEFAULT nextval('public.search_messages_id_seq'::regclass);

ALTER TABLE ONLY public.search_sectors ALTER COLUMN id SET DEFAULT nextval('public.search_sectors_id_seq'::regclass);

ALTER TABLE ONLY public.searches ALTER COLUMN id SET DEFAULT nextval('public.searches_id_seq'::regclass);

ALTER TABLE ONLY public.sightings ALTER COLUMN id SET DEFAULT nextval('public.sightings_id_seq'::regclass);

ALTER TABLE ONLY public.staff ALTER COLUMN id SET DEFAULT nextval('public.staff_id_seq'::regclass);

ALTER TABLE ONLY public.telegram_channels ALTER COLUMN id SET DEFAULT nextval('public.telegram_channels_id_seq'::regclass);

ALTER TABLE ONLY public.volunteer_areas ALTER COLUMN id SET DEFAULT nextval('public.volunteer_areas_id_seq'::regclass);

ALTER TABLE ONLY public.volunteer_manage_links ALTER COLUMN id SET DEFAULT nextval('public.volunteer_manage_links_id_seq'::regclass);

ALTER TABLE ONLY public.volunteer_signups ALTER COLUMN id SET DEFAULT nextval('public.volunteer_signups_id_seq'::regclass);

ALTER TABLE ONLY public.volunteers ALTER COLUMN id SET DEFAULT nextval('public.volunteers_id_seq'::regclass);

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.cap_messages
    ADD CONSTRAINT cap_messages_pkey PRIMARY KEY (identifier);

ALTER TABLE ONLY public.case_answers
    ADD CONSTRAINT case_answers_pkey PRIMARY KEY (case_id, volunteer_id);

ALTER TABLE ONLY public.case_proposals
    ADD CONSTRAINT case_proposals_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.case_revisions
    ADD CONSTRAINT case_revisions_pkey PRIMARY KEY (case_id, number);

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_reference_key UNIQUE (reference);

ALTER TABLE ONLY public.consents
    ADD CONSTRAINT consents_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.fanout_batches
    ADD CONSTRAINT fanout_batches_pkey PRIMARY KEY (case_id, revision, seq);

ALTER TABLE ONLY public.fanout_joins
    ADD CONSTRAINT fanout_joins_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.fanout_matches
    ADD CONSTRAINT fanout_matches_pkey PRIMARY KEY (case_id, revision);

ALTER TABLE ONLY public.materials
    ADD CONSTRAINT materials_pkey PRIMARY KEY (case_id, revision, kind, language);

ALTER TABLE ONLY public.partner_webhooks
    ADD CONSTRAINT partner_webhooks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.partner_webhooks
    ADD CONSTRAINT partner_webhooks_url_key UNIQUE (url);

ALTER TABLE ONLY public.peer_cases
    ADD CONSTRAINT peer_cases_peer_id_remote_identifier_key UNIQUE (peer_id, remote_identifier);

ALTER TABLE ONLY public.peer_cases
    ADD CONSTRAINT peer_cases_pkey PRIMARY KEY (case_id);

ALTER TABLE ONLY public.peer_messages
    ADD CONSTRAINT peer_messages_pkey PRIMARY KEY (peer_id, identifier);

ALTER TABLE ONLY public.peer_offers
    ADD CONSTRAINT peer_offers_pkey PRIMARY KEY (case_id, peer_id);

ALTER TABLE ONLY public.peers
    ADD CONSTRAINT peers_name_key UNIQUE (name);

ALTER TABLE ONLY public.peers
    ADD CONSTRAINT peers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.photos
    ADD CONSTRAINT photos_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.photos
    ADD CONSTRAINT photos_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY public.poster_members
    ADD CONSTRAINT poster_members_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.poster_members
    ADD CONSTRAINT poster_members_round_id_volunteer_id_key UNIQUE (round_id, volunteer_id);

ALTER TABLE ONLY public.poster_members
    ADD CONSTRAINT poster_members_round_id_zone_key UNIQUE (round_id, zone);

ALTER TABLE ONLY public.poster_messages
    ADD CONSTRAINT poster_messages_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.poster_places
    ADD CONSTRAINT poster_places_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.poster_rounds
    ADD CONSTRAINT poster_rounds_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.press_confirmations
    ADD CONSTRAINT press_confirmations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.press_confirmations
    ADD CONSTRAINT press_confirmations_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.press_contacts
    ADD CONSTRAINT press_contacts_email_key UNIQUE (email);

ALTER TABLE ONLY public.press_contacts
    ADD CONSTRAINT press_contacts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.press_downloads
    ADD CONSTRAINT press_downloads_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.press_removal_requests
    ADD CONSTRAINT press_removal_requests_pkey PRIMARY KEY (case_id, contact_id);

ALTER TABLE ONLY public.publications
    ADD CONSTRAINT publications_case_id_revision_channel_target_key UNIQUE (case_id, revision, channel, target);

ALTER TABLE ONLY public.publications
    ADD CONSTRAINT publications_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.purge_records
    ADD CONSTRAINT purge_records_pkey PRIMARY KEY (case_id);

ALTER TABLE ONLY public.rate_buckets
    ADD CONSTRAINT rate_buckets_pkey PRIMARY KEY (key);

ALTER TABLE ONLY public.rate_shares
    ADD CONSTRAINT rate_shares_pkey PRIMARY KEY (key, holder);

ALTER TABLE ONLY public.scheduler_runs
    ADD CONSTRAINT scheduler_runs_pkey PRIMARY KEY (job);

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (name);

ALTER TABLE ONLY public.search_finds
    ADD CONSTRAINT search_finds_pkey PRIMARY KEY (sighting_id);

ALTER TABLE ONLY public.search_members
    ADD CONSTRAINT search_members_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.search_members
    ADD CONSTRAINT search_members_search_id_volunteer_id_key UNIQUE (search_id, volunteer_id);

ALTER TABLE ONLY public.search_messages
    ADD CONSTRAINT search_messages_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.search_sectors
    ADD CONSTRAINT search_sectors_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.search_sectors
    ADD CONSTRAINT search_sectors_search_id_label_key UNIQUE (search_id, label);

ALTER TABLE ONLY public.searches
    ADD CONSTRAINT searches_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.sightings
    ADD CONSTRAINT sightings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.sightings
    ADD CONSTRAINT sightings_reference_key UNIQUE (reference);

ALTER TABLE ONLY public.staff
    ADD CONSTRAINT staff_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.staff_sessions
    ADD CONSTRAINT staff_sessions_pkey PRIMARY KEY (token_hash);

ALTER TABLE ONLY public.staff
    ADD CONSTRAINT staff_username_key UNIQUE (username);

ALTER TABLE ONLY public.telegram_channels
    ADD CONSTRAINT telegram_channels_chat_id_key UNIQUE (chat_id);

ALTER TABLE ONLY public.telegram_channels
    ADD CONSTRAINT telegram_channels_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.telegram_conversations
    ADD CONSTRAINT telegram_conversations_pkey PRIMARY KEY (chat_id);

ALTER TABLE ONLY public.telegram_files
    ADD CONSTRAINT telegram_files_pkey PRIMARY KEY (case_id, revision, material);

ALTER TABLE ONLY public.telegram_sightings
    ADD CONSTRAINT telegram_sightings_pkey PRIMARY KEY (chat_id);

ALTER TABLE ONLY public.telegram_updates
    ADD CONSTRAINT telegram_updates_pkey PRIMARY KEY (bot_id, update_id);

ALTER TABLE ONLY public.volunteer_areas
    ADD CONSTRAINT volunteer_areas_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.volunteer_areas
    ADD CONSTRAINT volunteer_areas_volunteer_id_label_key UNIQUE (volunteer_id, label);

ALTER TABLE ONLY public.volunteer_manage_links
    ADD CONSTRAINT volunteer_manage_links_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.volunteer_manage_links
    ADD CONSTRAINT volunteer_manage_links_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.volunteer_signups
    ADD CONSTRAINT volunteer_signups_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.volunteer_signups
    ADD CONSTRAINT volunteer_signups_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.volunteers
    ADD CONSTRAINT volunteers_email_key UNIQUE (email);

ALTER TABLE ONLY public.volunteers
    ADD CONSTRAINT volunteers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.volunteers
    ADD CONSTRAINT volunteers_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY public.volunteers
    ADD CONSTRAINT volunteers_telegram_chat_id_key UNIQUE (telegram_chat_id);

CREATE INDEX audit_log_at_idx ON public.audit_log USING btree (id DESC);

CREATE INDEX audit_log_case_idx ON public.audit_log USING btree (case_id, id DESC);

CREATE INDEX cap_messages_case_idx ON public.cap_messages USING btree (case_id, sent);

CREATE INDEX case_answers_volunteer_idx ON public.case_answers USING btree (volunteer_id);

CREATE INDEX case_proposals_pending_idx ON public.case_proposals USING btree (case_id, id) WHERE (state = 'pending'::text);

CREATE INDEX cases_closed_unpurged_idx ON public.cases USING btree (closed_at) WHERE ((state = 'closed'::text) AND (purged_at IS NULL));

CREATE INDEX cases_level_expires_at ON public.cases USING btree (level_expires_at) WHERE ((state = 'active'::text) AND (level_expires_at IS NOT NULL));

CREATE INDEX cases_state_idx ON public.cases USING btree (state, updated_at DESC);

CREATE INDEX consents_case_idx ON public.consents USING btree (case_id, id DESC);

CREATE INDEX fanout_batches_seq_idx ON public.fanout_batches USING btree (seq, case_id, revision);

CREATE INDEX login_attempts_idx ON public.login_attempts USING btree (key_hash, at);

CREATE INDEX peer_messages_case_idx ON public.peer_messages USING btree (case_id);

CREATE INDEX photos_case_idx ON public.photos USING btree (case_id, id DESC);

CREATE INDEX poster_members_volunteer_idx ON public.poster_members USING btree (volunteer_id);

CREATE INDEX poster_messages_due_idx ON public.poster_messages USING btree (next_attempt_at) WHERE (state = 'pending'::text);

CREATE INDEX poster_messages_volunteer_idx ON public.poster_messages USING btree (volunteer_id, sent_at);

CREATE INDEX poster_places_round_idx ON public.poster_places USING btree (round_id);

CREATE INDEX poster_rounds_case_idx ON public.poster_rounds USING btree (case_id);

CREATE INDEX poster_rounds_open_idx ON public.poster_rounds USING btree (state) WHERE (state <> 'done'::text);

CREATE INDEX press_confirmations_client_idx ON public.press_confirmations USING btree (client_key, created_at);

CREATE INDEX press_confirmations_email_idx ON public.press_confirmations USING btree (email, created_at);

CREATE INDEX press_downloads_case_idx ON public.press_downloads USING btree (case_id, contact_id);

CREATE INDEX publications_case_idx ON public.publications USING btree (case_id, id);

CREATE INDEX publications_due_idx ON public.publications USING btree (next_attempt_at) WHERE (state = ANY (ARRAY['pending'::text, 'withdrawing'::text]));

CREATE INDEX publications_edits_idx ON public.publications USING btree (edits_id) WHERE (edits_id IS NOT NULL);

CREATE INDEX publications_feed_idx ON public.publications USING btree (case_id, revision) WHERE (channel = 'feed'::text);

CREATE INDEX publications_hosted_idx ON public.publications USING btree (case_id, state) WHERE ((channel = ANY (ARRAY['case_page'::text, 'poster'::text, 'image'::text, 'feed'::text])) OR ((channel = 'press'::text) AND (target = 'press-room'::text)));

CREATE INDEX publications_open_idx ON public.publications USING btree (case_id) WHERE (state = ANY (ARRAY['pending'::text, 'failed'::text, 'sent'::text]));

CREATE INDEX publications_partner_target_idx ON public.publications USING btree (channel, target, id) WHERE (channel = ANY (ARRAY['telegram_channel'::text, 'webhook'::text]));

CREATE INDEX publications_pending_idx ON public.publications USING btree (sort_key, id) WHERE (state = 'pending'::text);

CREATE INDEX publications_sending_idx ON public.publications USING btree (claimed_at) WHERE (state = 'sending'::text);

CREATE INDEX publications_volunteer_idx ON public.publications USING btree (volunteer_id);

CREATE INDEX publications_withdrawing_idx ON public.publications USING btree (next_attempt_at, id) WHERE (state = 'withdrawing'::text);

CREATE INDEX search_finds_search_idx ON public.search_finds USING btree (search_id);

CREATE INDEX search_members_volunteer_idx ON public.search_members USING btree (volunteer_id);

CREATE INDEX search_messages_due_idx ON public.search_messages USING btree (next_attempt_at) WHERE (state = 'pending'::text);

CREATE INDEX search_messages_volunteer_idx ON public.search_messages USING btree (volunteer_id, sent_at);

CREATE INDEX searches_case_idx ON public.searches USING btree (case_id);

CREATE INDEX sightings_case_idx ON public.sightings USING btree (case_id, id DESC);

CREATE INDEX sightings_to_geocode_idx ON public.sightings USING btree (case_id) WHERE ((lat IS NULL) AND (geocoded_at IS NULL));

CREATE INDEX staff_sessions_staff_idx ON public.staff_sessions USING btree (staff_id);

CREATE INDEX telegram_conversations_updated_idx ON public.telegram_conversations USING btree (updated_at);

CREATE INDEX telegram_sightings_updated_idx ON public.telegram_sightings USING btree (updated_at);

CREATE INDEX telegram_updates_taken_at_idx ON public.telegram_updates USING btree (taken_at);

CREATE INDEX volunteer_areas_lat_lon_idx ON public.volunteer_areas USING btree (lat, lon);

CREATE INDEX volunteer_areas_point_idx ON public.volunteer_areas USING gist (point(lon, lat));

CREATE INDEX volunteer_areas_volunteer_idx ON public.volunteer_areas USING btree (volunteer_id);

CREATE INDEX volunteer_manage_links_client_idx ON public.volunteer_manage_links USING btree (client_key, created_at);

CREATE INDEX volunteer_manage_links_expiry_idx ON public.volunteer_manage_links USING btree (expires_at);

CREATE INDEX volunteer_manage_links_volunteer_idx ON public.volunteer_manage_links USING btree (volunteer_id, created_at);

CREATE INDEX volunteer_signups_client_idx ON public.volunteer_signups USING btree (client_key, created_at);

CREATE INDEX volunteer_signups_email_idx ON public.volunteer_signups USING btree (email, created_at);

CREATE INDEX volunteer_signups_expiry_idx ON public.volunteer_signups USING btree (expires_at);

CREATE TRIGGER cases_exercise_fixed BEFORE UPDATE OF exercise ON public.cases FOR EACH ROW EXECUTE FUNCTION public.cases_exercise_fixed();

CREATE TRIGGER cases_public_notify AFTER DELETE OR UPDATE ON public.cases FOR EACH ROW EXECUTE FUNCTION public.alerts_public_notify();

CREATE TRIGGER consents_public_notify AFTER INSERT OR DELETE OR UPDATE ON public.consents FOR EACH ROW EXECUTE FUNCTION public.alerts_public_notify();

CREATE TRIGGER materials_public_notify AFTER INSERT OR DELETE ON public.materials FOR EACH ROW EXECUTE FUNCTION public.alerts_public_notify();

CREATE TRIGGER publications_hosted_notify AFTER UPDATE OF state ON public.publications FOR EACH ROW WHEN (((old.state IS DISTINCT FROM new.state) AND (new.channel = ANY (ARRAY['case_page'::text, 'poster'::text, 'image'::text, 'feed'::text, 'press'::text])))) EXECUTE FUNCTION public.alerts_public_notify();

CREATE TRIGGER volunteer_areas_added AFTER INSERT ON public.volunteer_areas REFERENCING NEW TABLE AS changed_areas FOR EACH STATEMENT EXECUTE FUNCTION public.alerts_areas_joined();

CREATE TRIGGER volunteer_areas_moved AFTER UPDATE ON public.volunteer_areas REFERENCING NEW TABLE AS changed_areas FOR EACH STATEMENT EXECUTE FUNCTION public.alerts_areas_joined();

CREATE TRIGGER volunteers_reachable AFTER UPDATE ON public.volunteers REFERENCING OLD TABLE AS old_volunteers NEW TABLE AS new_volunteers FOR EACH STATEMENT EXECUTE FUNCTION public.alerts_volunteers_reachable();

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.staff(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(id);

ALTER TABLE ONLY public.cap_messages
    ADD CONSTRAINT cap_messages_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.case_answers
    ADD CONSTRAINT case_answers_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.case_answers
    ADD CONSTRAINT case_answers_volunteer_id_fkey FOREIGN KEY (volunteer_id) REFERENCES public.volunteers(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.case_proposals
    ADD CONSTRAINT case_proposals_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.case_proposals
    ADD CONSTRAINT case_proposals_decided_by_fkey FOREIGN KEY (decided_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.case_proposals
    ADD CONSTRAINT case_proposals_proposed_by_fkey FOREIGN KEY (proposed_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.case_revisions
    ADD CONSTRAINT case_revisions_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.case_revisions
    ADD CONSTRAINT case_revisions_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_approved_by_fkey FOREIGN KEY (approved_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_closed_by_fkey FOREIGN KEY (closed_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_submitted_by_fkey FOREIGN KEY (submitted_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.consents
    ADD CONSTRAINT consents_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.consents
    ADD CONSTRAINT consents_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.fanout_batches
    ADD CONSTRAINT fanout_batches_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.fanout_joins
    ADD CONSTRAINT fanout_joins_volunteer_id_fkey FOREIGN KEY (volunteer_id) REFERENCES public.volunteers(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.fanout_matches
    ADD CONSTRAINT fanout_matches_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.materials
    ADD CONSTRAINT materials_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.partner_webhooks
    ADD CONSTRAINT partner_webhooks_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.peer_cases
    ADD CONSTRAINT peer_cases_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.peer_cases
    ADD CONSTRAINT peer_cases_peer_id_fkey FOREIGN KEY (peer_id) REFERENCES public.peers(id);

ALTER TABLE ONLY public.peer_messages
    ADD CONSTRAINT peer_messages_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.peer_messages
    ADD CONSTRAINT peer_messages_peer_id_fkey FOREIGN KEY (peer_id) REFERENCES public.peers(id);

ALTER TABLE ONLY public.peer_offers
    ADD CONSTRAINT peer_offers_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.peer_offers
    ADD CONSTRAINT peer_offers_offered_by_fkey FOREIGN KEY (offered_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.peer_offers
    ADD CONSTRAINT peer_offers_peer_id_fkey FOREIGN KEY (peer_id) REFERENCES public.peers(id);

ALTER TABLE ONLY public.peers
    ADD CONSTRAINT peers_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.peers
    ADD CONSTRAINT peers_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(id);

ALTER TABLE ONLY public.photos
    ADD CONSTRAINT photos_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.poster_members
    ADD CONSTRAINT poster_members_round_id_fkey FOREIGN KEY (round_id) REFERENCES public.poster_rounds(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.poster_members
    ADD CONSTRAINT poster_members_volunteer_id_fkey FOREIGN KEY (volunteer_id) REFERENCES public.volunteers(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.poster_messages
    ADD CONSTRAINT poster_messages_round_id_fkey FOREIGN KEY (round_id) REFERENCES public.poster_rounds(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.poster_messages
    ADD CONSTRAINT poster_messages_volunteer_id_fkey FOREIGN KEY (volunteer_id) REFERENCES public.volunteers(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.poster_places
    ADD CONSTRAINT poster_places_manual_by_fkey FOREIGN KEY (manual_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.poster_places
    ADD CONSTRAINT poster_places_member_id_fkey FOREIGN KEY (member_id) REFERENCES public.poster_members(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.poster_places
    ADD CONSTRAINT poster_places_round_id_fkey FOREIGN KEY (round_id) REFERENCES public.poster_rounds(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.poster_rounds
    ADD CONSTRAINT poster_rounds_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.poster_rounds
    ADD CONSTRAINT poster_rounds_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.press_downloads
    ADD CONSTRAINT press_downloads_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.press_downloads
    ADD CONSTRAINT press_downloads_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES public.press_contacts(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.press_removal_requests
    ADD CONSTRAINT press_removal_requests_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.press_removal_requests
    ADD CONSTRAINT press_removal_requests_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES public.press_contacts(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.publications
    ADD CONSTRAINT publications_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.publications
    ADD CONSTRAINT publications_confirmed_by_fkey FOREIGN KEY (confirmed_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.publications
    ADD CONSTRAINT publications_volunteer_id_fkey FOREIGN KEY (volunteer_id) REFERENCES public.volunteers(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.search_finds
    ADD CONSTRAINT search_finds_member_id_fkey FOREIGN KEY (member_id) REFERENCES public.search_members(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.search_finds
    ADD CONSTRAINT search_finds_search_id_fkey FOREIGN KEY (search_id) REFERENCES public.searches(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.search_finds
    ADD CONSTRAINT search_finds_sighting_id_fkey FOREIGN KEY (sighting_id) REFERENCES public.sightings(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.search_members
    ADD CONSTRAINT search_members_search_id_fkey FOREIGN KEY (search_id) REFERENCES public.searches(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.search_members
    ADD CONSTRAINT search_members_volunteer_id_fkey FOREIGN KEY (volunteer_id) REFERENCES public.volunteers(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.search_messages
    ADD CONSTRAINT search_messages_search_id_fkey FOREIGN KEY (search_id) REFERENCES public.searches(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.search_messages
    ADD CONSTRAINT search_messages_volunteer_id_fkey FOREIGN KEY (volunteer_id) REFERENCES public.volunteers(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.search_sectors
    ADD CONSTRAINT search_sectors_leader_id_fkey FOREIGN KEY (leader_id) REFERENCES public.search_members(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.search_sectors
    ADD CONSTRAINT search_sectors_search_id_fkey FOREIGN KEY (search_id) REFERENCES public.searches(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.search_sectors
    ADD CONSTRAINT search_sectors_searched_by_fkey FOREIGN KEY (searched_by) REFERENCES public.search_members(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.searches
    ADD CONSTRAINT searches_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.searches
    ADD CONSTRAINT searches_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.sightings
    ADD CONSTRAINT sightings_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.sightings
    ADD CONSTRAINT sightings_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.staff_sessions
    ADD CONSTRAINT staff_sessions_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.telegram_channels
    ADD CONSTRAINT telegram_channels_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.staff(id);

ALTER TABLE ONLY public.telegram_files
    ADD CONSTRAINT telegram_files_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.telegram_sightings
    ADD CONSTRAINT telegram_sightings_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.volunteer_areas
    ADD CONSTRAINT volunteer_areas_volunteer_id_fkey FOREIGN KEY (volunteer_id) REFERENCES public.volunteers(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.volunteer_manage_links
    ADD CONSTRAINT volunteer_manage_links_volunteer_id_fkey FOREIGN KEY (volunteer_id) REFERENCES public.volunteers(id) ON DELETE SET NULL;
