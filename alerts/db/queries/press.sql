-- name: insert_press_confirmation
-- Keep a press registration until its e-mail link is followed ($7: hours the link stays valid).
INSERT INTO press_confirmations (token_hash, email, outlet, name, language, client_key, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(hours => $7));

-- name: count_press_requests_for_email
-- How many registrations named this address in the last $2 minutes (to stop mail bombing).
SELECT count(*) FROM press_confirmations
WHERE email = $1 AND created_at > now() - make_interval(mins => $2);

-- name: count_press_requests_for_client
-- How many registrations came from this client (a keyed hash) in the last $2 minutes.
SELECT count(*) FROM press_confirmations
WHERE client_key = $1 AND created_at > now() - make_interval(mins => $2);

-- name: usable_press_confirmation
-- Whether a confirmation token is known, unused and unexpired.
SELECT EXISTS (
    SELECT 1 FROM press_confirmations
    WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
);

-- name: take_press_confirmation
-- Use a confirmation token once: its details, wiped from the row in the same statement.
UPDATE press_confirmations AS pc
SET used_at = now(), email = NULL, outlet = NULL, name = NULL, client_key = NULL
FROM (SELECT id, email, outlet, name, language FROM press_confirmations
      WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
      FOR UPDATE) AS old
WHERE pc.id = old.id AND pc.used_at IS NULL
RETURNING old.email, old.outlet, old.name, old.language;

-- name: upsert_press_contact
-- Create or update the confirmed press contact of an address; the contact.
INSERT INTO press_contacts (outlet, name, email, language, confirmed_at)
VALUES ($1, $2, $3, $4, now())
ON CONFLICT (email) DO UPDATE
SET outlet = EXCLUDED.outlet, name = EXCLUDED.name, language = EXCLUDED.language,
    confirmed_at = coalesce(press_contacts.confirmed_at, now())
RETURNING id, outlet, name, email, language, confirmed_at;

-- name: confirmed_press_contact
-- A confirmed press contact by id.
SELECT id, outlet, name, email, language, confirmed_at
FROM press_contacts WHERE id = $1 AND confirmed_at IS NOT NULL;

-- name: record_press_download
-- Log that a contact took a material ($3 file name) of revision $4 of a case.
INSERT INTO press_downloads (contact_id, case_id, material, revision) VALUES ($1, $2, $3, $4);

-- name: record_press_outlet_publication
-- Record an outlet that took material of a revision as a publication (target 'outlet:<id>').
INSERT INTO publications (case_id, revision, channel, target, language, state, sent_at)
VALUES ($1, $2, 'press', $3, $4, 'sent', now())
ON CONFLICT (case_id, revision, channel, target) DO NOTHING;

-- name: press_outlets_for_case
-- Every contact that took material of a case: the files, and when removal was requested.
SELECT pc.id AS contact_id, pc.outlet, pc.name, pc.email, pc.language,
       array_agg(DISTINCT d.material ORDER BY d.material) AS files,
       max(d.at) AS last_download_at, r.sent_at AS removal_requested_at
FROM press_downloads d
JOIN press_contacts pc ON pc.id = d.contact_id
LEFT JOIN press_removal_requests r ON r.case_id = d.case_id AND r.contact_id = pc.id
WHERE d.case_id = $1
GROUP BY pc.id, r.sent_at
ORDER BY pc.id;

-- name: record_press_removal
-- Remember that an outlet was asked to remove a case's material.
INSERT INTO press_removal_requests (case_id, contact_id) VALUES ($1, $2)
ON CONFLICT (case_id, contact_id) DO NOTHING;

-- name: withdraw_press_outlet_publications
-- The outlet's publications of a case end: the removal request was sent ($3: the reason).
UPDATE publications
SET state = 'withdrawn', ended_at = now(), end_reason = $3
WHERE case_id = $1 AND channel = 'press' AND target = $2 AND state IN ('sent', 'withdrawing');

-- name: press_room_cases
-- The active cases whose current revision is listed in the press room, newest first.
SELECT c.* FROM cases c
JOIN publications p ON p.case_id = c.id AND p.revision = c.revision
    AND p.channel = 'press' AND p.target = 'press-room' AND p.state = 'sent'
WHERE c.state = 'active'
ORDER BY c.approved_at DESC, c.id DESC;
