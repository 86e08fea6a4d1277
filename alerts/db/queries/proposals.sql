-- name: add_proposal
-- Record a proposed change of case $1 by staff $3 (kind $2, data $4, photo $5..$8).
INSERT INTO case_proposals (case_id, kind, proposed_by, data, photo_jpeg, photo_width,
                            photo_height, photo_sha256)
VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)
RETURNING id, case_id, kind, data::text AS data, photo_width, photo_height, photo_sha256, state,
          proposed_by, proposed_at, decided_by, decided_at, fingerprint;

-- name: get_proposal
-- One proposal of case $1 (without the photo's bytes).
SELECT id, case_id, kind, data::text AS data, photo_width, photo_height, photo_sha256, state,
       proposed_by, proposed_at, decided_by, decided_at, fingerprint
FROM case_proposals WHERE case_id = $1 AND id = $2;

-- name: get_proposal_for_update
-- One proposal of case $1, locked for its decision.
SELECT id, case_id, kind, data::text AS data, photo_width, photo_height, photo_sha256, state,
       proposed_by, proposed_at, decided_by, decided_at, fingerprint
FROM case_proposals WHERE case_id = $1 AND id = $2 FOR UPDATE;

-- name: list_proposals
-- The proposals of case $1, newest first (pending only when $2).
SELECT id, case_id, kind, data::text AS data, photo_width, photo_height, photo_sha256, state,
       proposed_by, proposed_at, decided_by, decided_at, fingerprint
FROM case_proposals WHERE case_id = $1 AND (NOT $2 OR state = 'pending') ORDER BY id DESC;

-- name: proposal_photo
-- The cleaned JPEG of photo proposal $2 of case $1.
SELECT photo_jpeg FROM case_proposals WHERE case_id = $1 AND id = $2;

-- name: decide_proposal
-- Record the decision ($3: approved or rejected) on proposal $1 by staff $2, with fingerprint $4.
UPDATE case_proposals SET state = $3, decided_by = $2, decided_at = now(), fingerprint = $4
WHERE id = $1 AND state = 'pending' RETURNING id;

-- name: purge_proposals
-- Delete the proposals of case $1 (their photos and texts); how many.
WITH gone AS (DELETE FROM case_proposals WHERE case_id = $1 RETURNING 1)
SELECT count(*) FROM gone;
