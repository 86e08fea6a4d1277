-- name: add_peer_account
-- Create the inactive account a peer's messages act as (nobody can log in with it); its id.
INSERT INTO staff (username, display_name, role, password_hash, active)
VALUES ($1, $2, 'case_manager', '!peer', false)
RETURNING id;

-- name: add_peer
-- Register a trusted peer; the row.
INSERT INTO peers (name, display_name, sender, url, certificate, staff_id, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: list_peers
-- Every peer, active first then by name, with the cases it sent and the cases offered to it.
SELECT p.*,
       (SELECT count(*) FROM peer_cases pc WHERE pc.peer_id = p.id) AS received,
       (SELECT count(*) FROM peer_offers o WHERE o.peer_id = p.id) AS offered
FROM peers p
ORDER BY NOT p.active, p.name;

-- name: peer_by_name
-- Peer $1 by its name (NULL: none).
SELECT * FROM peers WHERE name = $1;

-- name: set_peer_active
-- Deactivate or reactivate peer $1 ($2); the row (NULL: none).
UPDATE peers SET active = $2 WHERE id = $1 RETURNING *;

-- name: take_peer_message
-- Record message $2 ($3) of peer $1 for case $4; NULL when it was taken before (a replay).
INSERT INTO peer_messages (peer_id, identifier, msg_type, case_id)
VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING
RETURNING identifier;

-- name: peer_message_cases
-- The cases of the messages $2 (identifiers) that peer $1 sent, and of those any other peer sent (`own` false).
SELECT DISTINCT m.case_id, m.peer_id = $1 AS own
FROM peer_messages m
WHERE m.identifier = ANY($2::text[]);

-- name: link_peer_case
-- Mark case $1 as coming from peer $2, whose chain starts with message $3.
INSERT INTO peer_cases (case_id, peer_id, remote_identifier) VALUES ($1, $2, $3);

-- name: case_peer
-- The peer case $1 came from (NULL: a case of this hotline).
SELECT p.id, p.name, p.display_name, pc.remote_identifier
FROM peer_cases pc JOIN peers p ON p.id = pc.peer_id
WHERE pc.case_id = $1;

-- name: offer_case_to_peer
-- Offer case $1 to active peer $2 (by staff $3); NULL when it was offered before or the peer is not active.
INSERT INTO peer_offers (case_id, peer_id, offered_by)
SELECT $1, id, $3 FROM peers WHERE id = $2 AND active
ON CONFLICT DO NOTHING
RETURNING peer_id;

-- name: case_offers
-- The peers case $1 was offered to, by name.
SELECT p.id, p.name, p.display_name, o.offered_at
FROM peer_offers o JOIN peers p ON p.id = o.peer_id
WHERE o.case_id = $1
ORDER BY p.name;

-- name: peer_message_taken
-- True when peer $1's message $2 was taken before.
SELECT EXISTS (SELECT 1 FROM peer_messages WHERE peer_id = $1 AND identifier = $2);
