-- name: create_case
-- Create a draft case, an exercise when $4 (fixed for ever: migration 0026); the whole row.
INSERT INTO cases (public_id, reference, kind, created_by, exercise)
VALUES ($1, to_char(now(), 'YYYY') || '-' || lpad(nextval('case_reference_seq')::text, 5, '0'),
        $2, $3, $4)
RETURNING *;

-- name: get_case
-- One case by id.
SELECT * FROM cases WHERE id = $1;

-- name: get_case_for_update
-- One case by id, locked until the end of the transaction against every other transition (FOR NO KEY UPDATE: the foreign-key checks of the dispatchers' inserts, FOR KEY SHARE, neither wait for it nor make it wait; see alerts/outbox/pipeline.py, the lock order).
SELECT * FROM cases WHERE id = $1 FOR NO KEY UPDATE;

-- name: get_case_by_public_id
-- One case by its public id.
SELECT * FROM cases WHERE public_id = $1;

-- name: list_cases
-- Cases in a state ($1 NULL: all), most recently changed first; $2 limit, $3 offset.
SELECT * FROM cases
WHERE $1::text IS NULL OR state = $1
ORDER BY updated_at DESC, id DESC
LIMIT $2 OFFSET $3;

-- name: count_cases_by_state
-- How many cases are in each state: real ones (n), and exercises apart.
SELECT state, count(*) FILTER (WHERE NOT exercise) AS n,
       count(*) FILTER (WHERE exercise) AS exercises
FROM cases GROUP BY state;

-- name: update_case_fields
-- Write every editable field of a case at once.
UPDATE cases SET
    kind = $2, first_name = $3, last_name = $4, build = $5, hair = $6, eyes = $7,
    clothing = $8, marks = $9, description = $10, last_seen_place = $11, police_reference = $12,
    age = $13, sex = $14, height_cm = $15, last_seen_at = $16, last_seen_lat = $17,
    last_seen_lon = $18, search_radius_km = $19, languages = $20,
    revision = $21, state = $22, updated_at = now()
WHERE id = $1
RETURNING *;

-- name: set_case_submitted
-- Move a draft to pending approval.
UPDATE cases SET state = 'pending_approval', submitted_by = $2, submitted_at = now(),
    updated_at = now()
WHERE id = $1 RETURNING *;

-- name: set_case_returned
-- Send a case pending approval back to draft.
UPDATE cases SET state = 'draft', submitted_by = NULL, submitted_at = NULL, updated_at = now()
WHERE id = $1 RETURNING *;

-- name: set_case_approved
-- Activate a case: revision 1, approved by $2.
UPDATE cases SET state = 'active', approved_by = $2, approved_at = now(), revision = 1,
    updated_at = now()
WHERE id = $1 RETURNING *;

-- name: set_case_closed
-- Close a case with a reason.
UPDATE cases SET state = 'closed', closed_by = $2, close_reason = $3, closed_at = now(),
    updated_at = now()
WHERE id = $1 RETURNING *;

-- name: add_revision
-- Keep the snapshot of a revision.
INSERT INTO case_revisions (case_id, number, snapshot, created_by)
VALUES ($1, $2, $3::jsonb, $4);

-- name: list_revisions
-- The revisions of a case, newest first.
SELECT number, created_at, created_by FROM case_revisions WHERE case_id = $1 ORDER BY number DESC;

-- name: add_consent
-- Record a consent; it replaces the earlier ones.
INSERT INTO consents (case_id, given_by, relation, given_at, recorded_by, valid_until, level,
                      photo, name_mode, place_precision, forwarding)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
RETURNING *;

-- name: current_consent
-- The latest consent record of a case (revoked or not).
SELECT * FROM consents WHERE case_id = $1 ORDER BY id DESC LIMIT 1;

-- name: revoke_consent
-- Revoke the latest consent of a case.
UPDATE consents SET revoked_at = now()
WHERE id = (SELECT id FROM consents WHERE case_id = $1 ORDER BY id DESC LIMIT 1)
  AND revoked_at IS NULL
RETURNING *;

-- name: add_photo
-- Store a re-encoded photo; its metadata.
INSERT INTO photos (public_id, case_id, jpeg, width, height, sha256)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id, public_id, case_id, width, height, sha256, created_at;

-- name: list_photos
-- The photos of a case, newest first, without their bytes.
SELECT id, public_id, case_id, width, height, sha256, created_at
FROM photos WHERE case_id = $1 ORDER BY id DESC;

-- name: photo_bytes
-- The JPEG of a photo of a case.
SELECT jpeg FROM photos WHERE case_id = $1 AND public_id = $2;
