-- Volunteers' privacy (issue 17).
--
-- A volunteer's data page (see, export, delete) opens only through a short-lived link the
-- service sends on request to the volunteer's own address. The long-lived signed "manage" links
-- of earlier e-mails were never stored (an HMAC of the volunteer's public id); the pages that
-- accepted them are gone, so every one of them stops working with this release.
--
-- Every request is a row, also for an unknown address (then without a volunteer or a token),
-- so the limit per client counts both alike and cannot tell them apart. Only a hash of the
-- token is kept.
CREATE TABLE volunteer_manage_links (
    id              bigserial PRIMARY KEY,
    token_hash      text UNIQUE,
    volunteer_id    bigint REFERENCES volunteers (id) ON DELETE SET NULL,
    client_key      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);
CREATE INDEX volunteer_manage_links_client_idx ON volunteer_manage_links (client_key, created_at);
CREATE INDEX volunteer_manage_links_volunteer_idx
    ON volunteer_manage_links (volunteer_id, created_at);
CREATE INDEX volunteer_manage_links_expiry_idx ON volunteer_manage_links (expires_at);
