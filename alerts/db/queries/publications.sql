-- name: list_publications
-- The publication registry of a case, oldest first, without the volunteers' addresses.
SELECT id, revision, channel, target, language,
       CASE WHEN target LIKE 'volunteer/%' THEN NULL ELSE address END AS address,
       external_id, state, end_reason, attempts, last_error, created_at, sent_at, ended_at
FROM publications WHERE case_id = $1 ORDER BY id;

-- name: publication_volunteer_contact
-- The volunteer a publication $2 of case $1 went to, with their contact as held now (none once deleted).
SELECT p.channel, p.target, v.email, v.telegram_chat_id
FROM publications p
LEFT JOIN volunteers v ON v.id = p.volunteer_id
WHERE p.case_id = $1 AND p.id = $2 AND p.target LIKE 'volunteer/%';

-- name: publication_counts
-- How many publications case $1 has per channel and state (the console's summary).
SELECT channel, state, count(*)::bigint AS n
FROM publications WHERE case_id = $1
GROUP BY channel, state ORDER BY channel, state;

-- name: publications_page
-- A page of case $1's publications after id $2, at most $3, with channel $4, state $5 and target $6 when given, oldest first, without the volunteers' addresses.
SELECT id, revision, channel, target, language,
       CASE WHEN target LIKE 'volunteer/%' THEN NULL ELSE address END AS address,
       state, end_reason, attempts, last_error, sent_at, ended_at, next_attempt_at,
       sort_key AS distance_km
FROM publications
WHERE case_id = $1 AND id > $2
  AND ($4::text IS NULL OR channel = $4) AND ($5::text IS NULL OR state = $5)
  AND ($6::text IS NULL OR target = $6)
ORDER BY id LIMIT $3;

-- name: case_volunteer_targets
-- The volunteers' targets ('volunteer/<id>') case $1 has publications for, to find one by pseudonym.
SELECT DISTINCT target FROM publications WHERE case_id = $1 AND target LIKE 'volunteer/%';
