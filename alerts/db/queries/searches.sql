-- name: volunteer_set_field_searches
-- Opt volunteer $1 in to field searches (true, confirming they are adults) or out (false).
UPDATE volunteers
SET field_searches = $2,
    adult_confirmed_at = CASE WHEN $2 THEN coalesce(adult_confirmed_at, now()) ELSE adult_confirmed_at END,
    updated_at = now()
WHERE id = $1;

-- name: search_insert
-- Create a search for case $1 if it is active; no row otherwise.
INSERT INTO searches (case_id, police_liaison, assembly_place, assembly_lat, assembly_lon,
                      assembly_at, bring, briefing, coordinator, max_searchers, created_by)
SELECT c.id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
FROM cases c WHERE c.id = $1 AND c.state = 'active'
RETURNING *;

-- name: search_sector_insert
-- One sector of search $1: its label and its box.
INSERT INTO search_sectors (search_id, label, south, west, north, east)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: search_call_out
-- Call out the volunteers whose area covers search $1's assembly point, opted in and adult; how many.
WITH called AS (
    INSERT INTO search_members (search_id, volunteer_id)
    SELECT DISTINCT s.id, v.id
    FROM searches s
    JOIN volunteer_areas a
      ON 6371.0088 * 2 * asin(sqrt(
            power(sin(radians(a.lat - s.assembly_lat) / 2), 2)
            + cos(radians(s.assembly_lat)) * cos(radians(a.lat))
              * power(sin(radians(a.lon - s.assembly_lon) / 2), 2))) <= a.radius_km
    JOIN volunteers v ON v.id = a.volunteer_id
    WHERE s.id = $1 AND v.active AND v.field_searches AND v.adult_confirmed_at IS NOT NULL
      AND (v.telegram_chat_id IS NOT NULL OR v.email_confirmed_at IS NOT NULL)
    ON CONFLICT (search_id, volunteer_id) DO NOTHING
    RETURNING volunteer_id
),
queued AS (
    INSERT INTO search_messages (search_id, volunteer_id, kind)
    SELECT $1, volunteer_id, 'callout' FROM called
    RETURNING 1
)
SELECT count(*)::int FROM queued;

-- name: search_by_id
-- One search, with its case's state and public id.
SELECT s.*, c.state AS case_state, c.public_id AS case_public_id
FROM searches s JOIN cases c ON c.id = s.case_id
WHERE s.id = $1;

-- name: searches_of_case
-- The searches of case $1, newest first.
SELECT s.*, c.state AS case_state, c.public_id AS case_public_id
FROM searches s JOIN cases c ON c.id = s.case_id
WHERE s.case_id = $1 ORDER BY s.id DESC;

-- name: search_lock
-- Search $1 locked for a change of its answers or state, with its case's state.
SELECT s.*, c.state AS case_state, c.public_id AS case_public_id
FROM searches s JOIN cases c ON c.id = s.case_id
WHERE s.id = $1 FOR NO KEY UPDATE OF s;

-- name: search_member
-- The member row of volunteer $2 in search $1, if called out and still eligible (active, opted in, adult).
SELECT m.*
FROM search_members m JOIN volunteers v ON v.id = m.volunteer_id
WHERE m.search_id = $1 AND m.volunteer_id = $2
  AND v.active AND v.field_searches AND v.adult_confirmed_at IS NOT NULL;

-- name: search_set_coming
-- Add $2 (1 or -1) to search $1's count of those coming.
UPDATE searches SET coming = coming + $2, updated_at = now() WHERE id = $1;

-- name: search_member_answer
-- Record member $1's answer $2.
UPDATE search_members SET answer = $2, answered_at = now() WHERE id = $1;

-- name: search_member_check_in
-- Check member $1 in (again), with their position if given (kept while checked in; none given keeps the last).
UPDATE search_members
SET checked_in_at = coalesce(checked_in_at, now()), checked_out_at = NULL,
    lat = coalesce($2, lat), lon = coalesce($3, lon),
    position_at = CASE WHEN $2::float8 IS NULL THEN position_at ELSE now() END
WHERE id = $1;

-- name: search_member_check_out
-- Check member $1 out and forget their position.
UPDATE search_members
SET checked_out_at = now(), lat = NULL, lon = NULL, position_at = NULL
WHERE id = $1 AND checked_in_at IS NOT NULL;

-- name: search_member_leader
-- Make member $2 of search $1 a team leader ($3 true) or not.
UPDATE search_members SET team_leader = $3 WHERE search_id = $1 AND id = $2 RETURNING id;

-- name: search_sectors
-- The sectors of search $1, by label.
SELECT * FROM search_sectors WHERE search_id = $1 ORDER BY id;

-- name: search_sector_assign
-- Give sector $2 of search $1 to team leader (member) $3's team.
UPDATE search_sectors SET leader_id = $3 WHERE search_id = $1 AND id = $2 RETURNING id;

-- name: search_sector_searched
-- Mark sector $2 of search $1 searched by member $3.
UPDATE search_sectors SET searched_at = coalesce(searched_at, now()), searched_by = $3
WHERE search_id = $1 AND id = $2 RETURNING id;

-- name: search_find_insert
-- Link sighting $1 to search $2 and the member $3 who found it.
INSERT INTO search_finds (sighting_id, search_id, member_id) VALUES ($1, $2, $3);

-- name: search_finds
-- The sightings reported during search $1 with their point (if any), newest first.
SELECT f.sighting_id, s.reference, s.seen, s.created_at, s.lat, s.lon
FROM search_finds f JOIN sightings s ON s.id = f.sighting_id
WHERE f.search_id = $1 ORDER BY f.sighting_id DESC;

-- name: search_members
-- The members of search $1 with their volunteer's public id (for pseudonyms), in call-out order.
SELECT m.*, v.public_id
FROM search_members m JOIN volunteers v ON v.id = m.volunteer_id
WHERE m.search_id = $1 ORDER BY m.id;

-- name: search_change
-- Change search $1's time, place or state; the row after.
UPDATE searches
SET assembly_at = $2, assembly_place = $3, assembly_lat = $4, assembly_lon = $5, state = $6,
    ended_at = CASE WHEN $6 <> 'open' THEN coalesce(ended_at, now()) END, updated_at = now()
WHERE id = $1
RETURNING *;

-- name: search_notify
-- Queue message $2 for the members of search $1 who answered coming (and, when $3, those checked in); how many.
WITH queued AS (
    INSERT INTO search_messages (search_id, volunteer_id, kind)
    SELECT search_id, volunteer_id, $2 FROM search_members
    WHERE search_id = $1 AND (answer = 'coming' OR ($3 AND checked_in_at IS NOT NULL))
    RETURNING 1
)
SELECT count(*)::int FROM queued;

-- name: searches_open_of_case
-- The ids of case $1's searches still open.
SELECT id FROM searches WHERE case_id = $1 AND state = 'open' ORDER BY id;

-- name: search_messages_claim
-- Claim up to $1 due search messages (none of another sender's), with what their text needs.
UPDATE search_messages m
SET attempts = attempts + 1, next_attempt_at = now() + interval '5 minutes'
FROM (
    SELECT id FROM search_messages
    WHERE state = 'pending' AND next_attempt_at <= now()
    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
) due
WHERE m.id = due.id
RETURNING m.id, m.search_id, m.volunteer_id, m.kind, m.attempts;

-- name: search_message_done
-- Record search message $1 sent, or failed (state $2).
UPDATE search_messages SET state = $2, sent_at = CASE WHEN $2 = 'sent' THEN now() END
WHERE id = $1;

-- name: search_message_retry
-- Try search message $1 again in $2 seconds.
UPDATE search_messages SET next_attempt_at = now() + make_interval(secs => $2) WHERE id = $1;

-- name: purge_searches
-- Delete case $1's searches (members, positions, sectors, finds' links, messages); how many.
WITH gone AS (DELETE FROM searches WHERE case_id = $1 RETURNING 1)
SELECT count(*)::int FROM gone;

-- name: volunteer_field_searches
-- Whether volunteer $1 opted in to field searches.
SELECT field_searches FROM volunteers WHERE id = $1;

-- name: volunteer_search_records
-- What is held about volunteer $1 in field searches (their right of access): opt-in and each call-out.
SELECT v.field_searches, v.adult_confirmed_at,
       coalesce(jsonb_agg(jsonb_build_object(
           'search', m.search_id, 'answer', m.answer, 'team_leader', m.team_leader,
           'answered_at', m.answered_at, 'checked_in_at', m.checked_in_at,
           'checked_out_at', m.checked_out_at, 'lat', m.lat, 'lon', m.lon) ORDER BY m.id)
           FILTER (WHERE m.id IS NOT NULL), '[]'::jsonb)::text AS searches
FROM volunteers v LEFT JOIN search_members m ON m.volunteer_id = v.id
WHERE v.id = $1
GROUP BY v.id;

-- name: searches_end_closed_cases
-- End the open searches of closed cases and queue the end to who answered coming or is checked in; how many messages.
WITH ended AS (
    UPDATE searches s SET state = 'ended', ended_at = now(), updated_at = now()
    FROM cases c
    WHERE c.id = s.case_id AND c.state = 'closed' AND s.state = 'open'
    RETURNING s.id
), queued AS (
    INSERT INTO search_messages (search_id, volunteer_id, kind)
    SELECT m.search_id, m.volunteer_id, 'ended'
    FROM search_members m JOIN ended e ON e.id = m.search_id
    WHERE m.answer = 'coming' OR m.checked_in_at IS NOT NULL
    RETURNING 1
)
SELECT count(*)::int FROM queued;

-- name: search_of_shared_location
-- The open search (case active) where volunteer $1 is checked in, else one they answered coming to, not checked in yet, whose meeting is within $2 minutes or begun; its id and whether checked in.
SELECT s.id, (m.checked_in_at IS NOT NULL AND m.checked_out_at IS NULL) AS checked_in
FROM search_members m
JOIN searches s ON s.id = m.search_id
JOIN cases c ON c.id = s.case_id
WHERE m.volunteer_id = $1 AND s.state = 'open' AND c.state = 'active'
  AND ((m.checked_in_at IS NOT NULL AND m.checked_out_at IS NULL)
       OR (m.answer = 'coming' AND m.checked_in_at IS NULL
           AND s.assembly_at <= now() + make_interval(mins => $2)))
ORDER BY 2 DESC, s.id DESC
LIMIT 1;
