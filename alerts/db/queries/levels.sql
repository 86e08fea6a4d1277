-- name: start_level_period
-- Start a period of the level in force of case $1, ending at $2 (NULL: it does not end); $3 true for a renewal (the next period).
UPDATE cases
SET level_expires_at = $2, level_reminded_at = NULL,
    level_period = level_period + CASE WHEN $3::boolean THEN 1 ELSE 0 END, updated_at = now()
WHERE id = $1
RETURNING *;

-- name: copy_consent_at_level
-- Record consent $1 again at level $2, by the service (a level's end); the new record.
INSERT INTO consents (case_id, given_by, relation, given_at, recorded_by, valid_until, level,
                      photo, name_mode, place_precision, forwarding)
SELECT case_id, given_by, relation, given_at, NULL, valid_until, $2,
       photo, name_mode, place_precision, forwarding
FROM consents WHERE id = $1
RETURNING *;

-- name: levels_to_remind
-- Mark the active cases whose level ends within $1 seconds as reminded; those marked now (once per period, whichever process gets there first).
UPDATE cases
SET level_reminded_at = now()
WHERE state = 'active' AND level_expires_at IS NOT NULL AND level_reminded_at IS NULL
  AND level_expires_at <= now() + make_interval(secs => $1)
RETURNING id, reference, level_expires_at, created_by, submitted_by, approved_by;

-- name: levels_ended
-- The active cases whose level in force reached its end at $1.
SELECT id FROM cases
WHERE state = 'active' AND level_expires_at IS NOT NULL AND level_expires_at <= $1
ORDER BY level_expires_at;

-- name: pending_renewal
-- The id of the renewal of case $1 waiting for approval (NULL: none).
SELECT id FROM case_proposals WHERE case_id = $1 AND kind = 'renewal' AND state = 'pending' LIMIT 1;
