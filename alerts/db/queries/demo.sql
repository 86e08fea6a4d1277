-- name: demo_add_volunteers
-- Add the demo's volunteers not there yet (same chat or address) with their home area; parallel
-- arrays of public id, chat id, e-mail, language, lat, lon, radius. Those already there keep
-- what they have (a volunteer may have changed their area or stopped their alerts).
WITH wanted AS (
    SELECT *
    FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::float8[], $6::float8[],
                $7::float8[])
         AS w (public_id, chat_id, email, language, lat, lon, radius_km)
), added AS (
    INSERT INTO volunteers (public_id, telegram_chat_id, email, language, email_confirmed_at)
    SELECT public_id, chat_id, email, language, CASE WHEN email IS NOT NULL THEN now() END
    FROM wanted
    ON CONFLICT DO NOTHING
    RETURNING id, public_id
)
INSERT INTO volunteer_areas (volunteer_id, label, lat, lon, radius_km)
SELECT a.id, 'home', w.lat, w.lon, w.radius_km
FROM added a JOIN wanted w USING (public_id);

-- name: demo_count_volunteers
-- How many volunteers there are on each channel (Telegram, confirmed e-mail).
SELECT count(*) FILTER (WHERE telegram_chat_id IS NOT NULL) AS telegram,
       count(*) FILTER (WHERE email IS NOT NULL AND email_confirmed_at IS NOT NULL) AS email
FROM volunteers;

-- name: demo_volunteers
-- Every volunteer with their home area, for the sandbox page.
SELECT v.id, v.telegram_chat_id, v.email, v.language, v.active, v.deactivated_reason,
       a.lat, a.lon, a.radius_km
FROM volunteers v
LEFT JOIN volunteer_areas a ON a.volunteer_id = v.id AND a.label = 'home'
ORDER BY v.id;

-- name: demo_cases
-- The cases that reached approval, newest first, for the sandbox page's case filter.
SELECT id, reference, state, last_seen_lat, last_seen_lon, search_radius_km
FROM cases
WHERE approved_at IS NOT NULL
ORDER BY id DESC;

-- name: demo_sent_messages
-- Every message the dispatcher sent to a volunteer ($1: channels), with its case and the
-- registry's state, so the sandbox page can say which case a message was for.
SELECT p.volunteer_id, p.channel, p.address, p.external_id, p.state, p.end_reason,
       p.revision, c.reference
FROM publications p
JOIN cases c ON c.id = p.case_id
WHERE p.channel = ANY($1::text[]) AND p.external_id IS NOT NULL
ORDER BY p.id;

-- name: demo_case_targets
-- The volunteers case $1 planned a message for (matched), whatever became of it.
SELECT DISTINCT volunteer_id FROM publications
WHERE case_id = $1 AND volunteer_id IS NOT NULL;

-- name: demo_forget_telegram_files
-- Forget the Telegram file ids of photos: the sandbox that issued them forgot them at its stop.
DELETE FROM telegram_files;

-- name: demo_field_searchers
-- Opt every second demo volunteer in to field searches, as an adult, unless they chose already.
UPDATE volunteers SET field_searches = true, adult_confirmed_at = now()
WHERE id % 2 = 0 AND adult_confirmed_at IS NULL;

-- name: demo_unanswered_searchers
-- Up to $1 members of open searches who have not answered, to answer for them in the demo.
SELECT m.search_id, m.volunteer_id
FROM search_members m JOIN searches s ON s.id = m.search_id
JOIN cases c ON c.id = s.case_id
WHERE s.state = 'open' AND c.state = 'active' AND m.answer IS NULL
ORDER BY m.id LIMIT $1;

-- name: demo_poster_volunteers
-- Opt every third demo volunteer in to poster rounds.
UPDATE volunteers SET posters = true WHERE id % 3 = 0 AND NOT posters;

-- name: demo_poster_work
-- Up to $1 things for the demo's poster volunteers to do: answer, put up, replace, take down.
SELECT m.round_id, m.volunteer_id, m.id AS member_id,
       CASE WHEN m.answer IS NULL AND r.state = 'open' THEN 'answer'
            WHEN r.state = 'open' AND m.answer = 'accepted'
                 AND NOT EXISTS (SELECT 1 FROM poster_places p WHERE p.member_id = m.id) THEN 'put_up'
            WHEN r.state = 'open' AND m.replace_asked_at IS NOT NULL AND m.replaced_at IS NULL THEN 'replace'
            ELSE 'take_down' END AS work
FROM poster_members m JOIN poster_rounds r ON r.id = m.round_id
JOIN cases c ON c.id = r.case_id
WHERE (r.state = 'open' AND c.state = 'active' AND (
          m.answer IS NULL
          OR (m.answer = 'accepted' AND NOT EXISTS (SELECT 1 FROM poster_places p WHERE p.member_id = m.id))
          OR (m.replace_asked_at IS NOT NULL AND m.replaced_at IS NULL)))
   OR (r.state = 'takedown' AND m.volunteer_id % 4 <> 0 AND EXISTS (
          SELECT 1 FROM poster_places p WHERE p.member_id = m.id AND p.removed_at IS NULL))
ORDER BY m.id LIMIT $1;
