-- name: cap_message
-- The stored bytes of the CAP message `$1` (identifier), if it was issued.
SELECT xml FROM cap_messages WHERE identifier = $1;

-- name: cap_chain
-- The Alert and Updates issued for case $1, oldest first: what a later message references.
SELECT identifier, sent, revision FROM cap_messages
WHERE case_id = $1 AND msg_type <> 'Cancel'
ORDER BY sent, revision;

-- name: insert_cap_message
-- Store a CAP message ($1 identifier, $2 case, $3 revision, $4 type, $5 sent, $6 bytes) unless one with that identifier exists.
INSERT INTO cap_messages (identifier, case_id, revision, msg_type, sent, xml)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (identifier) DO NOTHING;

-- name: cap_case_languages
-- The languages of case $1, for the `info` blocks of its Cancel, and whether it is an exercise (its status).
SELECT languages, exercise FROM cases WHERE id = $1;

-- name: cap_level_period
-- The period of the level in force of case $1 and when it ends (alerts.cases.levels).
SELECT level_period, level_expires_at FROM cases WHERE id = $1;
