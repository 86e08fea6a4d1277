-- name: plan_nearest_volunteers
-- At the approval, in work bounded by $9 (areas read): match case $1 revision $2 on channels $6 against the nearest active volunteers of ($3, $4) within both radii ($5 km and the area's radius; nearest area only), read from the KNN index on the areas' points, and write the nearest $8 as batch 0 ($7: the case overrides quiet hours); unless every volunteer in reach is in it, leave the rest of the matching to the dispatchers (`fanout_matches`, from the last one's key on, in batches of $10). Whether matching continues.
WITH knn AS (
    -- ordered by the distance in degrees (what the index knows), not the great-circle one
    SELECT a.volunteer_id, a.radius_km, haversine_km($3, $4, a.lat, a.lon) AS km,
           point(a.lon, a.lat) <-> point($4::float8, $3::float8) AS deg
    FROM volunteer_areas a
    ORDER BY point(a.lon, a.lat) <-> point($4::float8, $3::float8)
    LIMIT $9
), edge AS (
    -- Every area nearer than `safe` km is among those read: an area within h km of the point
    -- lies in the bounding box of plan_volunteers, whose corner is at most h * sqrt(1 + 1/c^2)
    -- / 111.195 degrees away (c: the cosine at the box's edge nearest a pole); an area not read
    -- is at least as many degrees away as the farthest read. (Rounded down, to be safe.)
    SELECT count(*) < $9 AS exhausted,
           CASE WHEN count(*) < $9 THEN 'infinity'::float8
                ELSE max(deg) * 111.0 / 1.001 / sqrt(1 + 1 / greatest(cos(radians(least(89.9,
                         abs($3::float8) + $5::float8 / 111.0))), 0.001) ^ 2) END AS safe
    FROM knn
), near AS (
    SELECT volunteer_id, min(km) AS distance
    FROM knn
    WHERE km <= least(radius_km, $5::float8)
    GROUP BY volunteer_id
), ranked AS (
    SELECT id, distance, messages FROM (
        SELECT v.id, near.distance,
               ('telegram_dm' = ANY($6::text[]) AND v.telegram_chat_id IS NOT NULL)::int
               + ('email' = ANY($6::text[]) AND v.email IS NOT NULL
                  AND v.email_confirmed_at IS NOT NULL)::int AS messages
        FROM near
        CROSS JOIN edge
        JOIN volunteers v ON v.id = near.volunteer_id AND v.active
             -- an exercise reaches only the volunteers who opted in to exercises
             AND (v.exercises OR NOT (SELECT exercise FROM cases WHERE id = $1))
        WHERE near.distance < edge.safe) m
    WHERE messages > 0
    ORDER BY distance, id
    LIMIT $8
), batch AS (
    INSERT INTO fanout_batches (case_id, revision, seq, channels, override_quiet,
                                volunteer_ids, distances, messages)
    SELECT $1, $2, 0, $6, $7, array_agg(id), array_agg(distance), sum(messages)
    FROM ranked
    HAVING count(*) > 0
    ON CONFLICT DO NOTHING
    RETURNING 1
), last AS (
    SELECT id, distance FROM ranked ORDER BY distance DESC, id DESC LIMIT 1
), rest AS (
    INSERT INTO fanout_matches (case_id, revision, channels, override_quiet, lat, lon, radius_km,
                                batch_size, after_distance, after_volunteer, created_at)
    SELECT $1, $2, $6, $7, $3, $4, $5, $10, (SELECT distance FROM last), (SELECT id FROM last),
           clock_timestamp()
    FROM edge
    WHERE NOT edge.exhausted OR (SELECT count(*) FROM ranked) >= $8
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT FROM rest);

-- name: take_fanout_match
-- The oldest matching left to the dispatchers that no other dispatcher is doing, locked until the transaction ends (the case row is not locked: see the lock order in alerts/outbox/pipeline.py); live: its case is active at that revision still; wait: the seconds until it is $1 seconds old.
SELECT m.case_id, m.revision, m.channels, m.override_quiet, m.lat, m.lon, m.radius_km,
       m.batch_size, m.after_distance, m.after_volunteer,
       greatest(0, $1::float8 - extract(epoch FROM clock_timestamp() - m.created_at))::float8
           AS wait,
       EXISTS (SELECT FROM cases c
               WHERE c.id = m.case_id AND c.state = 'active' AND c.revision = m.revision) AS live
FROM fanout_matches m
ORDER BY m.created_at, m.case_id, m.revision
LIMIT 1
FOR UPDATE SKIP LOCKED;

-- name: delete_fanout_match
-- The matching of case $1 revision $2 is done (or no longer needed).
DELETE FROM fanout_matches WHERE case_id = $1 AND revision = $2;

-- name: plan_volunteers
-- After the approval (a dispatcher, in the transaction that takes its fanout_matches row): match case $1 revision $2 on channels $6 against every active volunteer with an area within reach of ($3, $4) ($5 km and the area's radius), nearest area only, beyond the key ($9, $10) of the last one the approval matched (NULL: all), and write them in batches of $8 from seq 1 on, nearest first ($7: the case overrides quiet hours); the messages planned.
WITH area AS (
    -- The bounding box straight on the parameters, so that the planner (custom plans: see
    -- fanout_session) can tell a city's few hundred areas from a country's million.
    SELECT a.volunteer_id, haversine_km($3, $4, a.lat, a.lon) AS km, a.radius_km
    FROM volunteer_areas a
    WHERE a.lat BETWEEN $3::float8 - $5::float8 / 111.195 AND $3::float8 + $5::float8 / 111.195
      -- a degree of longitude is shortest at the box's edge nearest a pole
      AND a.lon BETWEEN $4::float8 - $5::float8 / (111.195 * greatest(cos(radians(least(89.9,
                            abs($3::float8) + $5::float8 / 111.195))), 0.001))
                    AND $4::float8 + $5::float8 / (111.195 * greatest(cos(radians(least(89.9,
                            abs($3::float8) + $5::float8 / 111.195))), 0.001))
), near AS (
    SELECT volunteer_id, min(km) AS distance
    FROM area
    WHERE km <= least(radius_km, $5::float8)
    GROUP BY volunteer_id
), beyond AS (
    SELECT volunteer_id, distance FROM near
    WHERE $9::float8 IS NULL OR (distance, volunteer_id) > ($9::float8, $10::bigint)
), matched AS (
    SELECT v.id, near.distance,
           ('telegram_dm' = ANY($6::text[]) AND v.telegram_chat_id IS NOT NULL)::int
           + ('email' = ANY($6::text[]) AND v.email IS NOT NULL
              AND v.email_confirmed_at IS NOT NULL)::int AS messages
    FROM beyond near JOIN volunteers v ON v.id = near.volunteer_id AND v.active
         -- an exercise reaches only the volunteers who opted in to exercises
         AND (v.exercises OR NOT (SELECT exercise FROM cases WHERE id = $1))
), ranked AS (
    SELECT id, distance, messages, row_number() OVER (ORDER BY distance, id) - 1 AS rank
    FROM matched WHERE messages > 0
), batch AS (
    -- Which batch a volunteer is in is what puts the nearest first; inside a batch the rows
    -- are ordered by their distance when they are made, so the arrays need no order (the two
    -- aggregates see the rows in the same order, which keeps them aligned).
    INSERT INTO fanout_batches (case_id, revision, seq, channels, override_quiet,
                                volunteer_ids, distances, messages)
    SELECT $1, $2, 1 + rank / $8, $6, $7, array_agg(id), array_agg(distance), sum(messages)
    FROM ranked
    GROUP BY rank / $8
    ON CONFLICT DO NOTHING
    RETURNING seq, messages
)
SELECT coalesce(sum(messages), 0)::bigint FROM batch;

-- name: expand_fanout_batch
-- Turn a batch of matched volunteers into publication rows (the outbox): the first batch of case $1's revision $2 when given, else the nearest batch of any case nobody is expanding; skipped when its revision is no longer the case's current one or the case is no longer active. Volunteers who opted out or left since the match (or out of exercises, for one) are left out; quiet hours hold a message until they end. The rows queued, or NULL when there was no batch.
WITH batch AS (
    DELETE FROM fanout_batches b
    WHERE (b.case_id, b.revision, b.seq) = (
        SELECT case_id, revision, seq FROM fanout_batches
        WHERE $1::bigint IS NULL OR (case_id = $1 AND revision = $2 AND seq = 0)
        ORDER BY seq, case_id, revision
        LIMIT 1
        FOR UPDATE SKIP LOCKED)
    RETURNING b.case_id, b.revision, b.channels, b.override_quiet, b.volunteer_ids, b.distances
), member AS (
    SELECT batch.case_id, batch.revision, batch.channels, batch.override_quiet, m.id, m.distance,
           (now() AT TIME ZONE 'Europe/Brussels') AS local_now, c.exercise
    FROM batch
    JOIN cases c ON c.id = batch.case_id AND c.state = 'active' AND c.revision = batch.revision
    CROSS JOIN unnest(batch.volunteer_ids, batch.distances) AS m(id, distance)
), queued AS (
    INSERT INTO publications (case_id, revision, channel, target, language, address,
                              volunteer_id, sort_key, next_attempt_at)
    SELECT member.case_id, member.revision, ch.channel, 'volunteer/' || v.id, v.language,
           CASE ch.channel WHEN 'telegram_dm' THEN v.telegram_chat_id::text ELSE v.email END,
           v.id, member.distance,
           CASE WHEN member.override_quiet OR v.quiet_start IS NULL THEN now()
                WHEN CASE WHEN v.quiet_start < v.quiet_end
                          THEN member.local_now::time >= v.quiet_start
                               AND member.local_now::time < v.quiet_end
                          ELSE member.local_now::time >= v.quiet_start
                               OR member.local_now::time < v.quiet_end END
                -- the next end of the quiet hours, in Brussels time
                THEN (date_trunc('day', member.local_now) + v.quiet_end
                      + CASE WHEN v.quiet_end <= member.local_now::time THEN interval '1 day'
                             ELSE interval '0' END) AT TIME ZONE 'Europe/Brussels'
                ELSE now() END
    FROM member
    JOIN volunteers v ON v.id = member.id AND v.active AND (v.exercises OR NOT member.exercise)
    CROSS JOIN unnest(member.channels) AS ch(channel)
    WHERE (ch.channel = 'telegram_dm' AND v.telegram_chat_id IS NOT NULL)
       OR (ch.channel = 'email' AND v.email IS NOT NULL AND v.email_confirmed_at IS NOT NULL)
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT CASE WHEN EXISTS (SELECT FROM batch) THEN (SELECT count(*) FROM queued) END;

-- name: drop_fanout_batches
-- Forget the batches and the matching of case $1 not yet turned into rows (revisions before $2; all when NULL): the case closed or has a newer revision. Waits for a batch being turned into rows, whose rows are then there to cancel; a matching under way is left alone (the batches it writes are dropped by the expansion: their revision is no longer the case's).
WITH matching AS (
    -- one a dispatcher is doing is skipped: what it writes is for a revision no longer current
    DELETE FROM fanout_matches m
    WHERE (m.case_id, m.revision) IN (
        SELECT case_id, revision FROM fanout_matches
        WHERE case_id = $1 AND ($2::integer IS NULL OR revision < $2)
        FOR UPDATE SKIP LOCKED)
)
DELETE FROM fanout_batches WHERE case_id = $1 AND ($2::integer IS NULL OR revision < $2);

-- name: narrow_fanout_matches
-- Case $1's consent no longer allows channels $2: the matching left to the dispatchers leaves them out (run before narrow_fanout_batches: it waits for a matching under way, whose batches the next statement then sees).
UPDATE fanout_matches
SET channels = ARRAY(SELECT c FROM unnest(channels) AS c WHERE c <> ALL($2::text[]))
WHERE case_id = $1 AND channels && $2::text[];

-- name: narrow_fanout_batches
-- Case $1's consent no longer allows channels $2: its batches not yet turned into rows leave them out (a batch left with none makes no rows; its planned count is then 0, else an upper bound).
UPDATE fanout_batches
SET channels = ARRAY(SELECT c FROM unnest(channels) AS c WHERE c <> ALL($2::text[])),
    messages = CASE WHEN channels <@ $2::text[] THEN 0 ELSE messages END
WHERE case_id = $1 AND channels && $2::text[];

-- name: fanout_batches_waiting
-- The messages of case $1's current revision still waiting in batches (none once it closed: they will never be made).
SELECT coalesce(sum(b.messages), 0)::bigint
FROM fanout_batches b
JOIN cases c ON c.id = b.case_id AND c.revision = b.revision AND c.state = 'active'
WHERE b.case_id = $1;

-- name: analyze_publications
-- Refresh the publications' statistics after a large fan-out (see Dispatcher._expander).
ANALYZE publications;

-- name: fanout_session
-- Until the transaction ends: memory to match a large fan-out without spilling to disk, and a plan made for each case's own point and radius.
SELECT set_config('work_mem', '256MB', true), set_config('plan_cache_mode', 'force_custom_plan', true);

-- name: plan_regional_channels
-- Queue revision $2 of case $1 for every active regional Telegram channel whose circle holds ($3, $4) (an exercise: those that take exercises only).
INSERT INTO publications (case_id, revision, channel, target, language, address, sort_key)
SELECT $1, $2, 'telegram_channel', 'channel/' || t.id, t.language, t.chat_id, 0
FROM telegram_channels t
WHERE t.active AND haversine_km(t.lat, t.lon, $3, $4) <= t.radius_km
  AND (t.exercises OR NOT (SELECT exercise FROM cases WHERE id = $1))
ON CONFLICT DO NOTHING;

-- name: plan_partner_webhooks
-- Queue revision $2 of case $1 for every active partner webhook (an exercise: those that take exercises only).
INSERT INTO publications (case_id, revision, channel, target, language, address, sort_key)
SELECT $1, $2, 'webhook', 'webhook/' || w.id, w.language, w.url, 0
FROM partner_webhooks w
WHERE w.active AND (w.exercises OR NOT (SELECT exercise FROM cases WHERE id = $1))
ON CONFLICT DO NOTHING;

-- name: plan_followups
-- Queue revision $2 of case $1 for each target of the dispatcher's channels $3 holding a message of an earlier revision (sent or being sent), linked to that message so the dispatcher edits it.
INSERT INTO publications (case_id, revision, channel, target, language, address, volunteer_id,
                          sort_key, edits_id)
SELECT DISTINCT ON (p.channel, p.target)
       $1, $2, p.channel, p.target, p.language, p.address, p.volunteer_id, p.sort_key, p.id
FROM publications p
WHERE p.case_id = $1 AND p.revision < $2 AND p.state IN ('sent', 'sending')
  AND p.channel = ANY($3::text[])
ORDER BY p.channel, p.target, p.revision DESC
ON CONFLICT DO NOTHING;

-- name: cancel_superseded_publications
-- Cancel what an earlier revision of case $1 (before $2) has not sent yet on the dispatcher's channels $3: the new revision's rows replace it.
UPDATE publications SET state = 'cancelled', end_reason = 'superseded', ended_at = now()
WHERE case_id = $1 AND revision < $2 AND state = 'pending' AND channel = ANY($3::text[]);

-- name: closed_cases_to_sweep
-- The cases closed in the last day: those whose rows the dispatchers' sweep ends (a row of a case closed longer ago is never pending, failed or sent any more: in-flight sends are recorded within seconds, stalled ones ended by the withdrawal sweep).
SELECT id FROM cases
WHERE state = 'closed' AND closed_at > now() - interval '1 day'
ORDER BY closed_at DESC;

-- name: end_closed_outbox
-- After the close of case $1 (the sweep, durable because it is read from the case's state): up to $2 of its open rows end, rows other transactions hold skipped: unsent ones cancelled (case_closed), sent ones marked for withdrawal; (cancelled, withdrawing).
WITH open AS (
    -- hosted: what we host, rendered after the close's commit: its address answers 410 already
    SELECT p.id, p.state,
           (p.channel IN ('case_page', 'poster', 'image', 'feed')
            OR (p.channel = 'press' AND p.target = 'press-room')) AS hosted
    FROM cases c
    JOIN publications p ON p.case_id = c.id AND p.state IN ('pending', 'failed', 'sent')
    WHERE c.id = $1 AND c.state = 'closed'
    LIMIT $2
    FOR UPDATE OF p SKIP LOCKED
), ended AS (
    UPDATE publications p
    SET state = CASE WHEN open.state <> 'sent' THEN 'cancelled'
                     WHEN open.hosted THEN 'withdrawn'
                     ELSE 'withdrawing' END,
        end_reason = CASE WHEN open.state <> 'sent' THEN 'case_closed'
                          WHEN open.hosted THEN 'case closed'
                          ELSE p.end_reason END,
        ended_at = CASE WHEN open.state = 'sent' AND NOT open.hosted THEN p.ended_at
                        ELSE now() END,
        claimed_by = CASE WHEN open.state = 'sent' THEN p.claimed_by END,
        next_attempt_at = now()
    FROM open
    WHERE p.id = open.id
    RETURNING open.state
)
SELECT count(*) FILTER (WHERE state <> 'sent')::int AS cancelled,
       count(*) FILTER (WHERE state = 'sent')::int AS withdrawing
FROM ended;

-- name: drop_closed_fanout_batches
-- Forget the matching left to the dispatchers and up to $2 batches (NULL: all) of case $1 if it is no longer active, those another transaction is turning into rows skipped (that expansion makes no rows for a closed case); how many.
WITH matching AS (
    DELETE FROM fanout_matches m
    WHERE (m.case_id, m.revision) IN (
        SELECT f.case_id, f.revision
        FROM fanout_matches f JOIN cases c ON c.id = f.case_id AND c.state <> 'active'
        WHERE f.case_id = $1
        FOR UPDATE OF f SKIP LOCKED)
), gone AS (
    DELETE FROM fanout_batches b
    WHERE (b.case_id, b.revision, b.seq) IN (
        SELECT f.case_id, f.revision, f.seq
        FROM fanout_batches f JOIN cases c ON c.id = f.case_id AND c.state <> 'active'
        WHERE f.case_id = $1
        LIMIT $2
        FOR UPDATE OF f SKIP LOCKED)
    RETURNING 1
)
SELECT count(*)::int FROM gone;

-- name: notify_dispatchers
-- Wake the dispatchers (delivered at commit): '' new work, 'closed <id>' a case closed.
SELECT pg_notify('alerts_dispatch', $1);

-- name: plan_peer_offers
-- Queue revision $2 of case $1 for every active peer it was offered to (signed CAP to the peer's endpoint).
INSERT INTO publications (case_id, revision, channel, target, language, address, sort_key)
SELECT $1, $2, 'peer', 'peer/' || p.id, 'en', p.url, 0
FROM peer_offers o JOIN peers p ON p.id = o.peer_id
WHERE o.case_id = $1 AND p.active
ON CONFLICT DO NOTHING;
