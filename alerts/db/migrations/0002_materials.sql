-- The rendered materials of each revision (posters, images), and the press room's contacts.

CREATE TABLE materials (
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    revision        integer NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('poster', 'square', 'story')),
    language        text NOT NULL CHECK (language IN ('nl', 'fr', 'de', 'en', 'nl-fr')),
    content_type    text NOT NULL,
    data            bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, revision, kind, language)
);

CREATE TABLE press_contacts (
    id              bigserial PRIMARY KEY,
    outlet          text NOT NULL,
    name            text NOT NULL DEFAULT '',
    email           text NOT NULL UNIQUE CHECK (email = lower(email)),
    language        text NOT NULL DEFAULT 'en' CHECK (language IN ('nl', 'fr', 'de', 'en')),
    confirm_token_hash text,
    confirmed_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Who took which material: a removal request must reach every outlet that downloaded it.
CREATE TABLE press_downloads (
    id              bigserial PRIMARY KEY,
    contact_id      bigint NOT NULL REFERENCES press_contacts (id) ON DELETE CASCADE,
    case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    material        text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX press_downloads_case_idx ON press_downloads (case_id, contact_id);
