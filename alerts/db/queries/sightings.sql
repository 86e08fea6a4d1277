-- name: insert_sighting
-- Store one report for the case with public id $1, if it is active (no row if it is not).
INSERT INTO sightings (case_id, reference, source, language, seen_at, place, lat, lon,
                       point_source, seen, direction, companions, photo, contact_name,
                       contact_phone, contact_email, client_key, point_precision)
SELECT c.id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18
FROM cases c
WHERE c.public_id = $1 AND c.state = 'active'
RETURNING id, case_id;

-- name: insert_sightings
-- Store several reports in one statement: one array per column, in insert_sighting's order
-- ($1 public ids, $2 references, ...); a report whose case is not active gets no row.
INSERT INTO sightings (case_id, reference, source, language, seen_at, place, lat, lon,
                       point_source, seen, direction, companions, photo, contact_name,
                       contact_phone, contact_email, client_key, point_precision)
SELECT c.id, r.reference, r.source, r.language, r.seen_at, r.place, r.lat, r.lon,
       r.point_source, r.seen, r.direction, r.companions, r.photo, r.contact_name,
       r.contact_phone, r.contact_email, r.client_key, r.point_precision
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[],
            $7::float8[], $8::float8[], $9::text[], $10::text[], $11::text[], $12::text[],
            $13::bytea[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[])
     AS r (public_id, reference, source, language, seen_at, place, lat, lon, point_source,
           seen, direction, companions, photo, contact_name, contact_phone, contact_email,
           client_key, point_precision)
JOIN cases c ON c.public_id = r.public_id AND c.state = 'active'
RETURNING id, case_id, reference;

-- name: sighting_by_id
-- One sighting, without its photo's bytes.
SELECT id, case_id, reference, source, language, seen_at, place, lat, lon, point_source,
       point_precision, seen,
       direction, companions, photo IS NOT NULL AS has_photo, contact_name, contact_phone,
       contact_email, status, notes, group_id, client_key, created_at, updated_at, updated_by
FROM sightings
WHERE id = $1;

-- name: case_sightings
-- Every sighting of a case, newest first, without the photos' bytes.
SELECT id, case_id, reference, source, language, seen_at, place, lat, lon, point_source,
       point_precision, seen,
       direction, companions, photo IS NOT NULL AS has_photo, contact_name, contact_phone,
       contact_email, status, notes, group_id, client_key, created_at, updated_at, updated_by
FROM sightings
WHERE case_id = $1
ORDER BY id DESC;

-- name: sighting_photo
-- The re-encoded photo of a sighting (NULL when it has none).
SELECT photo FROM sightings WHERE id = $1;

-- name: update_sighting
-- Triage: the new status and notes, who set them and when; the row as it is now.
UPDATE sightings SET status = $2, notes = $3, updated_at = now(), updated_by = $4
WHERE id = $1
RETURNING id, case_id, reference, source, language, seen_at, place, lat, lon, point_source,
          point_precision, seen, direction, companions, photo IS NOT NULL AS has_photo,
          contact_name, contact_phone, contact_email, status, notes, group_id, client_key,
          created_at, updated_at, updated_by;

-- name: sightings_to_geocode
-- Place texts of a case not looked up yet, oldest first ($2: how many).
SELECT id, place FROM sightings
WHERE case_id = $1 AND lat IS NULL AND geocoded_at IS NULL
ORDER BY id
LIMIT $2;

-- name: set_geocoded_point
-- The point found for a sighting's place text and its precision ($2, $3 NULL: not found, $4
-- then 'unknown'); looked up once.
UPDATE sightings
SET lat = $2, lon = $3, point_source = CASE WHEN $2::float8 IS NULL THEN NULL ELSE 'geocoded' END,
    point_precision = $4, geocoded_at = now()
WHERE id = $1 AND lat IS NULL;

-- name: set_sighting_groups
-- The group of near-duplicates of each sighting ($1 ids, $2 group ids), where it changed.
UPDATE sightings s SET group_id = g.group_id
FROM unnest($1::bigint[], $2::bigint[]) AS g (id, group_id)
WHERE s.id = g.id AND s.group_id IS DISTINCT FROM g.group_id;

-- name: telegram_sighting_get
-- Where a chat's report stands ($2: minutes of silence after which it is forgotten).
SELECT case_id, step, data FROM telegram_sightings
WHERE chat_id = $1 AND updated_at > now() - make_interval(mins => $2);

-- name: telegram_sighting_put
-- Save where a chat's report stands.
INSERT INTO telegram_sightings (chat_id, case_id, step, data, updated_at)
VALUES ($1, $2, $3, $4::jsonb, now())
ON CONFLICT (chat_id) DO UPDATE
SET case_id = excluded.case_id, step = excluded.step, data = excluded.data,
    updated_at = excluded.updated_at;

-- name: telegram_sighting_clear
-- Forget a chat's report in progress (sent, cancelled, or another command given).
DELETE FROM telegram_sightings WHERE chat_id = $1;

-- name: forget_stale_telegram_sightings
-- Forget reports left unfinished for $1 minutes (they hold a place and a text).
DELETE FROM telegram_sightings WHERE updated_at < now() - make_interval(mins => $1);

-- name: alert_case_for_reply
-- The active case of an alert message sent to a chat ($1 chat, $2 message id), if it is one.
SELECT p.case_id
FROM publications p
JOIN volunteers v ON v.id = p.volunteer_id
JOIN cases c ON c.id = p.case_id
WHERE v.telegram_chat_id = $1 AND p.channel = 'telegram_dm' AND p.external_id = $2
  AND c.state = 'active'
ORDER BY p.id DESC
LIMIT 1;

-- name: cases_alerted_to_chat
-- The active cases whose alert was sent to a chat.
SELECT DISTINCT p.case_id
FROM publications p
JOIN volunteers v ON v.id = p.volunteer_id
JOIN cases c ON c.id = p.case_id
WHERE v.telegram_chat_id = $1 AND p.channel = 'telegram_dm' AND p.external_id IS NOT NULL
  AND c.state = 'active';
