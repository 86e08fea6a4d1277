-- name: volunteer_set_posters
-- Opt volunteer $1 in to poster rounds (true) or out (false).
UPDATE volunteers SET posters = $2, updated_at = now() WHERE id = $1;

-- name: volunteer_posters
-- Whether volunteer $1 opted in to poster rounds.
SELECT posters FROM volunteers WHERE id = $1;

-- name: round_insert
-- Start a poster round of case $1 around ($2, $3) within $4 km, at fingerprint $5 of revision $6, by staff $7.
INSERT INTO poster_rounds (case_id, lat, lon, radius_km, fingerprint, revision, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: round_invite
-- Ask the volunteers whose area covers round $1's place and who opted in to posters; how many.
WITH asked AS (
    INSERT INTO poster_members (round_id, volunteer_id)
    SELECT DISTINCT r.id, v.id
    FROM poster_rounds r
    JOIN volunteer_areas a
      ON 6371.0088 * 2 * asin(sqrt(
            power(sin(radians(a.lat - r.lat) / 2), 2)
            + cos(radians(r.lat)) * cos(radians(a.lat))
              * power(sin(radians(a.lon - r.lon) / 2), 2))) <= a.radius_km
    JOIN volunteers v ON v.id = a.volunteer_id
    WHERE r.id = $1 AND v.active AND v.posters
      AND (v.telegram_chat_id IS NOT NULL OR v.email_confirmed_at IS NOT NULL)
    ON CONFLICT (round_id, volunteer_id) DO NOTHING
    RETURNING volunteer_id
),
queued AS (
    INSERT INTO poster_messages (round_id, volunteer_id, kind)
    SELECT $1, volunteer_id, 'invite' FROM asked
    RETURNING 1
)
SELECT count(*)::int FROM queued;

-- name: round_by_id
-- One poster round, with its case's state, public id and languages.
SELECT r.*, c.state AS case_state, c.public_id AS case_public_id, c.languages AS case_languages
FROM poster_rounds r JOIN cases c ON c.id = r.case_id
WHERE r.id = $1;

-- name: rounds_of_case
-- The poster rounds of case $1, newest first.
SELECT r.*, c.state AS case_state, c.public_id AS case_public_id, c.languages AS case_languages
FROM poster_rounds r JOIN cases c ON c.id = r.case_id
WHERE r.case_id = $1 ORDER BY r.id DESC;

-- name: round_lock
-- Poster round $1 locked for an answer or a change of state, with its case's state.
SELECT r.*, c.state AS case_state, c.public_id AS case_public_id, c.languages AS case_languages
FROM poster_rounds r JOIN cases c ON c.id = r.case_id
WHERE r.id = $1 FOR NO KEY UPDATE OF r;

-- name: round_member
-- The member row of volunteer $2 in round $1, if asked and still active.
SELECT m.*
FROM poster_members m JOIN volunteers v ON v.id = m.volunteer_id
WHERE m.round_id = $1 AND m.volunteer_id = $2 AND v.active;

-- name: round_member_accept
-- Member $1 accepts round $2: the lowest zone nobody holds (the round row is locked); the zone.
UPDATE poster_members m
SET answer = 'accepted', answered_at = now(),
    zone = coalesce(m.zone, (SELECT n FROM generate_series(0, 100000) n
                             WHERE NOT EXISTS (SELECT 1 FROM poster_members o
                                               WHERE o.round_id = $2 AND o.zone = n)
                             ORDER BY n LIMIT 1))
WHERE m.id = $1
RETURNING zone;

-- name: round_member_decline
-- Member $1 declines: their zone is free again unless they put posters up.
UPDATE poster_members m
SET answer = 'declined', answered_at = now(),
    zone = CASE WHEN EXISTS (SELECT 1 FROM poster_places p WHERE p.member_id = m.id)
                THEN zone END
WHERE m.id = $1;

-- name: round_member_replaced
-- Member $1 confirms they replaced their posters with the version asked.
UPDATE poster_members SET replaced_at = now() WHERE id = $1 AND replace_asked_at IS NOT NULL
RETURNING id;

-- name: poster_place_insert
-- Member $2 put $5 posters up at ($3, $4) in round $1; the place's id.
INSERT INTO poster_places (round_id, member_id, lat, lon, count) VALUES ($1, $2, $3, $4, $5)
RETURNING id;

-- name: poster_place_count
-- Set the count of place $1 of member $2 to $3 while not removed.
UPDATE poster_places SET count = $3 WHERE id = $1 AND member_id = $2 AND removed_at IS NULL
RETURNING id;

-- name: poster_place_removed
-- Member $2 confirms that the posters of place $1 are down.
UPDATE poster_places SET removed_at = coalesce(removed_at, now())
WHERE id = $1 AND member_id = $2
RETURNING id;

-- name: poster_place_manual
-- Staff $3 mark place $1 of round $2 for manual action with reason $4 (not yet removed).
UPDATE poster_places SET manual_reason = $4, manual_by = $3
WHERE id = $1 AND round_id = $2 AND removed_at IS NULL
RETURNING id;

-- name: poster_places_of_member
-- The places of member $1, oldest first.
SELECT * FROM poster_places WHERE member_id = $1 ORDER BY id;

-- name: poster_places_of_round
-- The places of round $1 with their member's volunteer (for pseudonyms), oldest first.
SELECT p.*, m.volunteer_id, m.zone
FROM poster_places p LEFT JOIN poster_members m ON m.id = p.member_id
WHERE p.round_id = $1 ORDER BY p.id;

-- name: round_members
-- The members of round $1, in the order they were asked.
SELECT * FROM poster_members WHERE round_id = $1 ORDER BY id;

-- name: rounds_to_check
-- The rounds still open or taking down, with their case's state and revision (the sweep's input).
SELECT r.*, c.state AS case_state, c.public_id AS case_public_id, c.languages AS case_languages,
       c.revision AS case_revision
FROM poster_rounds r JOIN cases c ON c.id = r.case_id
WHERE r.state <> 'done' ORDER BY r.id;

-- name: round_ask_replace
-- Round $1 shows fingerprint $2 of revision $3: ask each member with posters up to replace them; how many.
WITH changed AS (
    UPDATE poster_rounds SET fingerprint = $2, revision = $3
    WHERE id = $1 AND state = 'open' AND fingerprint <> $2
    RETURNING id
), asked AS (
    UPDATE poster_members m SET replace_asked_at = now(), replaced_at = NULL
    FROM changed
    WHERE m.round_id = changed.id AND EXISTS (
        SELECT 1 FROM poster_places p WHERE p.member_id = m.id AND p.removed_at IS NULL)
    RETURNING m.round_id, m.volunteer_id
), queued AS (
    INSERT INTO poster_messages (round_id, volunteer_id, kind)
    SELECT round_id, volunteer_id, 'replace' FROM asked
    RETURNING 1
)
SELECT count(*)::int FROM queued;

-- name: round_take_down
-- Round $1 must come down: queue a takedown task to each member with posters up; how many.
WITH taken AS (
    UPDATE poster_rounds SET state = 'takedown', takedown_at = now()
    WHERE id = $1 AND state = 'open'
    RETURNING id
), queued AS (
    INSERT INTO poster_messages (round_id, volunteer_id, kind)
    SELECT DISTINCT m.round_id, m.volunteer_id, 'takedown'
    FROM poster_members m JOIN taken t ON t.id = m.round_id
    WHERE EXISTS (SELECT 1 FROM poster_places p WHERE p.member_id = m.id AND p.removed_at IS NULL)
    RETURNING 1
)
SELECT count(*)::int FROM queued;

-- name: round_finish
-- Round $1 is done when each place is removed or marked for manual action; the row if so.
UPDATE poster_rounds r SET state = 'done'
WHERE r.id = $1 AND r.state = 'takedown' AND NOT EXISTS (
    SELECT 1 FROM poster_places p
    WHERE p.round_id = r.id AND p.removed_at IS NULL AND p.manual_reason IS NULL)
RETURNING id;

-- name: takedowns_remind
-- Remind members whose places are still up $1 hours after the takedown task; how many reminders.
WITH due AS (
    UPDATE poster_places p SET reminded_at = now()
    FROM poster_rounds r
    WHERE r.id = p.round_id AND r.state = 'takedown' AND p.removed_at IS NULL
      AND p.manual_reason IS NULL AND p.reminded_at IS NULL AND p.member_id IS NOT NULL
      AND r.takedown_at <= now() - make_interval(secs => $1 * 3600)
    RETURNING p.round_id, p.member_id
), queued AS (
    INSERT INTO poster_messages (round_id, volunteer_id, kind)
    SELECT DISTINCT d.round_id, m.volunteer_id, 'reminder'
    FROM due d JOIN poster_members m ON m.id = d.member_id
    RETURNING 1
)
SELECT count(*)::int FROM queued;

-- name: takedowns_report
-- Report to staff the places still up $1 hours after their reminder (or with no volunteer left): per case, its staff and how many places.
WITH reported AS (
    UPDATE poster_places p SET reported_at = now()
    FROM poster_rounds r
    WHERE r.id = p.round_id AND r.state = 'takedown' AND p.removed_at IS NULL
      AND p.manual_reason IS NULL AND p.reported_at IS NULL
      AND (p.member_id IS NULL OR p.reminded_at <= now() - make_interval(secs => $1 * 3600))
    RETURNING p.round_id
)
SELECT c.id, c.reference, c.created_by, c.submitted_by, c.approved_by, count(*)::int AS places
FROM reported x JOIN poster_rounds r ON r.id = x.round_id JOIN cases c ON c.id = r.case_id
GROUP BY c.id ORDER BY c.id;

-- name: poster_counts_of_case
-- Case $1's posters: put up, confirmed removed, marked for manual action, outstanding, reported.
SELECT coalesce(sum(p.count), 0)::int AS up,
       coalesce(sum(p.count) FILTER (WHERE p.removed_at IS NOT NULL), 0)::int AS removed,
       coalesce(sum(p.count) FILTER (WHERE p.removed_at IS NULL AND p.manual_reason IS NOT NULL), 0)::int AS manual,
       coalesce(sum(p.count) FILTER (WHERE p.removed_at IS NULL AND p.manual_reason IS NULL), 0)::int AS outstanding,
       count(*) FILTER (WHERE p.reported_at IS NOT NULL AND p.removed_at IS NULL AND p.manual_reason IS NULL)::int AS reported
FROM poster_places p JOIN poster_rounds r ON r.id = p.round_id
WHERE r.case_id = $1;

-- name: poster_messages_claim
-- Claim up to $1 due poster messages (none of another sender's).
UPDATE poster_messages m
SET attempts = attempts + 1, next_attempt_at = now() + interval '5 minutes'
FROM (
    SELECT id FROM poster_messages
    WHERE state = 'pending' AND next_attempt_at <= now()
    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
) due
WHERE m.id = due.id
RETURNING m.id, m.round_id, m.volunteer_id, m.kind, m.attempts;

-- name: poster_message_done
-- Record poster message $1 sent, or failed (state $2).
UPDATE poster_messages SET state = $2, sent_at = CASE WHEN $2 = 'sent' THEN now() END
WHERE id = $1;

-- name: poster_message_retry
-- Try poster message $1 again in $2 seconds.
UPDATE poster_messages SET next_attempt_at = now() + make_interval(secs => $2) WHERE id = $1;

-- name: purge_poster_rounds
-- Delete case $1's poster rounds (members, places, messages); how many.
WITH gone AS (DELETE FROM poster_rounds WHERE case_id = $1 RETURNING 1)
SELECT count(*)::int FROM gone;

-- name: round_open_of_volunteer
-- The newest open round of an active case that volunteer $1 accepted, if any.
SELECT r.id FROM poster_rounds r
JOIN poster_members m ON m.round_id = r.id
JOIN cases c ON c.id = r.case_id
WHERE m.volunteer_id = $1 AND m.answer = 'accepted' AND r.state = 'open' AND c.state = 'active'
ORDER BY r.id DESC LIMIT 1;

-- name: volunteer_poster_records
-- What is held about volunteer $1 in poster rounds (their right of access): opt-in, answers, zones and places.
SELECT v.posters,
       coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'round', m.round_id, 'answer', m.answer, 'zone', m.zone,
                    'answered_at', m.answered_at, 'replaced_at', m.replaced_at,
                    'places', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                  'lat', p.lat, 'lon', p.lon, 'count', p.count,
                                  'put_up_at', p.put_up_at, 'removed_at', p.removed_at) ORDER BY p.id)
                              FROM poster_places p WHERE p.member_id = m.id), '[]'::jsonb))
                    ORDER BY m.id)
                 FROM poster_members m WHERE m.volunteer_id = v.id), '[]'::jsonb)::text AS rounds
FROM volunteers v WHERE v.id = $1;
