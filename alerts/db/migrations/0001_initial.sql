-- Staff, sessions, tokens, cases, consent, photos, revisions, audit, publications.

CREATE TABLE staff (
    id              bigserial PRIMARY KEY,
    username        text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{2,64}$'),
    display_name    text NOT NULL,
    role            text NOT NULL CHECK (role IN ('case_manager', 'supervisor', 'admin')),
    password_hash   text NOT NULL,
    totp_secret     text,
    language        text CHECK (language IN ('nl', 'fr', 'de', 'en')),
    active          boolean NOT NULL DEFAULT true,
    failed_logins   integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff_sessions (
    token_hash      text PRIMARY KEY,
    staff_id        bigint NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf_token      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    reauth_at       timestamptz
);
CREATE INDEX staff_sessions_staff_idx ON staff_sessions (staff_id);

CREATE TABLE api_tokens (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL,
    token_hash      text NOT NULL UNIQUE,
    staff_id        bigint NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz
);

CREATE SEQUENCE case_reference_seq;

CREATE TABLE cases (
    id                  bigserial PRIMARY KEY,
    public_id           text NOT NULL UNIQUE,
    reference           text NOT NULL UNIQUE,
    state               text NOT NULL DEFAULT 'draft'
                        CHECK (state IN ('draft', 'pending_approval', 'active', 'closed')),
    kind                text NOT NULL CHECK (kind IN ('runaway', 'parental_abduction',
                            'third_party_abduction', 'lost_injured', 'unaccompanied_minor')),
    revision            integer NOT NULL DEFAULT 0,
    first_name          text NOT NULL DEFAULT '',
    last_name           text NOT NULL DEFAULT '',
    age                 integer CHECK (age BETWEEN 0 AND 25),
    sex                 text CHECK (sex IN ('female', 'male', 'other')),
    height_cm           integer CHECK (height_cm BETWEEN 30 AND 230),
    build               text NOT NULL DEFAULT '',
    hair                text NOT NULL DEFAULT '',
    eyes                text NOT NULL DEFAULT '',
    clothing            text NOT NULL DEFAULT '',
    marks               text NOT NULL DEFAULT '',
    description         text NOT NULL DEFAULT '',
    last_seen_at        timestamptz,
    last_seen_place     text NOT NULL DEFAULT '',
    last_seen_lat       double precision CHECK (last_seen_lat BETWEEN -90 AND 90),
    last_seen_lon       double precision CHECK (last_seen_lon BETWEEN -180 AND 180),
    search_radius_km    double precision NOT NULL DEFAULT 10 CHECK (search_radius_km > 0),
    languages           text[] NOT NULL DEFAULT ARRAY['nl', 'fr', 'de', 'en'],
    police_reference    text NOT NULL DEFAULT '',
    created_by          bigint NOT NULL REFERENCES staff (id),
    submitted_by        bigint REFERENCES staff (id),
    approved_by         bigint REFERENCES staff (id),
    closed_by           bigint REFERENCES staff (id),
    close_reason        text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    submitted_at        timestamptz,
    approved_at         timestamptz,
    closed_at           timestamptz
);
CREATE INDEX cases_state_idx ON cases (state, updated_at DESC);

CREATE TABLE consents (
    id              bigserial PRIMARY KEY,
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    given_by        text NOT NULL,
    relation        text NOT NULL,
    given_at        timestamptz NOT NULL,
    recorded_by     bigint NOT NULL REFERENCES staff (id),
    valid_until     timestamptz,
    level           integer NOT NULL CHECK (level BETWEEN 0 AND 3),
    photo           boolean NOT NULL,
    name_mode       text NOT NULL CHECK (name_mode IN ('full', 'first', 'none')),
    place_precision text NOT NULL CHECK (place_precision IN ('exact', 'municipality', 'province')),
    forwarding      boolean NOT NULL,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_case_idx ON consents (case_id, id DESC);

CREATE TABLE photos (
    id              bigserial PRIMARY KEY,
    public_id       text NOT NULL UNIQUE,
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    jpeg            bytea NOT NULL,
    width           integer NOT NULL,
    height          integer NOT NULL,
    sha256          text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX photos_case_idx ON photos (case_id, id DESC);

CREATE TABLE case_revisions (
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    number          integer NOT NULL,
    snapshot        jsonb NOT NULL,
    created_by      bigint NOT NULL REFERENCES staff (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, number)
);

CREATE TABLE audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    staff_id        bigint REFERENCES staff (id),
    action          text NOT NULL,
    case_id         bigint REFERENCES cases (id) ON DELETE SET NULL,
    details         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_case_idx ON audit_log (case_id, id DESC);
CREATE INDEX audit_log_at_idx ON audit_log (id DESC);

-- The publication registry: the outbox and the withdrawal list at once (DESIGN.md invariant 2).
CREATE TABLE publications (
    id              bigserial PRIMARY KEY,
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    revision        integer NOT NULL,
    channel         text NOT NULL,
    target          text NOT NULL,
    language        text,
    address         text,
    external_id     text,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN
                        ('pending', 'sending', 'sent', 'failed', 'cancelled',
                         'withdrawing', 'withdrawn', 'neutralised', 'manual')),
    end_reason      text,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_by      text,
    claimed_at      timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    ended_at        timestamptz,
    UNIQUE (case_id, revision, channel, target)
);
CREATE INDEX publications_case_idx ON publications (case_id, id);
CREATE INDEX publications_due_idx ON publications (next_attempt_at)
    WHERE state IN ('pending', 'withdrawing');

CREATE TABLE login_attempts (
    key_hash        text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_idx ON login_attempts (key_hash, at);
