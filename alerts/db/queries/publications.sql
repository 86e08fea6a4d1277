-- name: list_publications
-- The publication registry of a case, oldest first.
SELECT id, revision, channel, target, language, address, external_id, state, end_reason,
       attempts, last_error, created_at, sent_at, ended_at
FROM publications WHERE case_id = $1 ORDER BY id;
