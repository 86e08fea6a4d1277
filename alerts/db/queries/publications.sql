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
