-- name: plan_volunteers
-- Queue revision $2 of case $1 on channels $6 for each active volunteer with an area within reach of ($3, $4) ($5 km and the area's radius), nearest area only; quiet hours hold a message unless $7.
WITH point AS (
    SELECT $3::float8 AS lat, $4::float8 AS lon, $5::float8 AS km,
           $5::float8 / 111.195 AS dlat,
           -- a degree of longitude is shortest at the box's edge nearest a pole
           $5::float8 / (111.195 * greatest(cos(radians(least(89.9, abs($3::float8) + $5::float8 / 111.195))), 0.001)) AS dlon,
           (now() AT TIME ZONE 'Europe/Brussels') AS local_now
), area AS (
    SELECT a.volunteer_id, haversine_km(point.lat, point.lon, a.lat, a.lon) AS km, a.radius_km
    FROM point, volunteer_areas a
    WHERE a.lat BETWEEN point.lat - point.dlat AND point.lat + point.dlat
      AND a.lon BETWEEN point.lon - point.dlon AND point.lon + point.dlon
), near AS (
    SELECT area.volunteer_id, min(area.km) AS distance
    FROM area, point
    WHERE area.km <= least(area.radius_km, point.km)
    GROUP BY area.volunteer_id
)
INSERT INTO publications (case_id, revision, channel, target, language, address, volunteer_id,
                          sort_key, next_attempt_at)
SELECT $1, $2, ch.channel, 'volunteer/' || v.id, v.language,
       CASE ch.channel WHEN 'telegram_dm' THEN v.telegram_chat_id::text ELSE v.email END,
       v.id, near.distance,
       CASE WHEN $7 OR v.quiet_start IS NULL THEN now()
            WHEN CASE WHEN v.quiet_start < v.quiet_end
                      THEN point.local_now::time >= v.quiet_start
                           AND point.local_now::time < v.quiet_end
                      ELSE point.local_now::time >= v.quiet_start
                           OR point.local_now::time < v.quiet_end END
            -- the next end of the quiet hours, in Brussels time
            THEN (date_trunc('day', point.local_now) + v.quiet_end
                  + CASE WHEN v.quiet_end <= point.local_now::time THEN interval '1 day'
                         ELSE interval '0' END) AT TIME ZONE 'Europe/Brussels'
            ELSE now() END
FROM near JOIN volunteers v ON v.id = near.volunteer_id AND v.active
CROSS JOIN point
CROSS JOIN unnest($6::text[]) AS ch(channel)
WHERE (ch.channel = 'telegram_dm' AND v.telegram_chat_id IS NOT NULL)
   OR (ch.channel = 'email' AND v.email IS NOT NULL AND v.email_confirmed_at IS NOT NULL)
ON CONFLICT DO NOTHING;

-- name: plan_regional_channels
-- Queue revision $2 of case $1 for every active regional Telegram channel whose circle holds ($3, $4).
INSERT INTO publications (case_id, revision, channel, target, language, address, sort_key)
SELECT $1, $2, 'telegram_channel', 'channel/' || t.id, t.language, t.chat_id, 0
FROM telegram_channels t
WHERE t.active AND haversine_km(t.lat, t.lon, $3, $4) <= t.radius_km
ON CONFLICT DO NOTHING;

-- name: plan_partner_webhooks
-- Queue revision $2 of case $1 for every active partner webhook.
INSERT INTO publications (case_id, revision, channel, target, language, address, sort_key)
SELECT $1, $2, 'webhook', 'webhook/' || w.id, w.language, w.url, 0
FROM partner_webhooks w
WHERE w.active
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

-- name: cancel_unsent_publications
-- Cancel everything of case $1 not sent yet (the case closed); the number of rows.
UPDATE publications SET state = 'cancelled', end_reason = 'case_closed', ended_at = now(),
    claimed_by = NULL
WHERE case_id = $1 AND state IN ('pending', 'failed');

-- name: withdraw_sent_publications
-- Mark every sent publication of case $1 for withdrawal (the case closed).
UPDATE publications SET state = 'withdrawing', next_attempt_at = now()
WHERE case_id = $1 AND state = 'sent';

-- name: notify_dispatchers
-- Wake the dispatchers (delivered at commit): '' new work, 'closed <id>' a case closed.
SELECT pg_notify('alerts_dispatch', $1);
