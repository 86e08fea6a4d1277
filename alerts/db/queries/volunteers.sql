-- name: volunteer_by_chat
-- The volunteer who signed up through this Telegram chat.
SELECT * FROM volunteers WHERE telegram_chat_id = $1;

-- name: volunteer_by_public_id
-- The volunteer behind a signed link.
SELECT * FROM volunteers WHERE public_id = $1;

-- name: upsert_telegram_volunteer
-- Sign up (or back up) the volunteer of a Telegram chat: alerts on, in language $3.
INSERT INTO volunteers (public_id, telegram_chat_id, language)
VALUES ($1, $2, $3)
ON CONFLICT (telegram_chat_id) DO UPDATE
SET language = EXCLUDED.language, active = true, deactivated_reason = NULL, updated_at = now()
RETURNING *;

-- name: upsert_email_volunteer
-- Sign up (or back up) the volunteer of a confirmed e-mail address, with their quiet hours.
INSERT INTO volunteers (public_id, email, language, email_confirmed_at, quiet_start, quiet_end)
VALUES ($1, $2, $3, now(), $4, $5)
ON CONFLICT (email) DO UPDATE
SET language = EXCLUDED.language, email_confirmed_at = now(), active = true,
    deactivated_reason = NULL, quiet_start = EXCLUDED.quiet_start,
    quiet_end = EXCLUDED.quiet_end, updated_at = now()
RETURNING *;

-- name: volunteer_areas
-- A volunteer's areas, home first.
SELECT label, lat, lon, radius_km
FROM volunteer_areas
WHERE volunteer_id = $1
ORDER BY label <> 'home', label;

-- name: upsert_volunteer_area
-- Set one area (home, work) of a volunteer: a rounded point and a radius.
INSERT INTO volunteer_areas (volunteer_id, label, lat, lon, radius_km)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (volunteer_id, label) DO UPDATE
SET lat = EXCLUDED.lat, lon = EXCLUDED.lon, radius_km = EXCLUDED.radius_km;

-- name: delete_volunteer_area
-- Remove one area of a volunteer.
DELETE FROM volunteer_areas WHERE volunteer_id = $1 AND label = $2;

-- name: delete_volunteer_areas
-- Remove every area of a volunteer (before the areas of a new sign-up are stored).
DELETE FROM volunteer_areas WHERE volunteer_id = $1;

-- name: set_volunteer_language
-- Change the language a volunteer is written to in.
UPDATE volunteers SET language = $2, updated_at = now() WHERE id = $1;

-- name: set_volunteer_exercises
-- Whether a volunteer also receives the alerts of exercise cases ($2).
UPDATE volunteers SET exercises = $2, updated_at = now() WHERE id = $1;

-- name: set_volunteer_quiet_hours
-- Set (or, with NULLs, remove) a volunteer's quiet hours.
UPDATE volunteers SET quiet_start = $2, quiet_end = $3, updated_at = now() WHERE id = $1;

-- name: deactivate_volunteer
-- Stop a volunteer's alerts, with the reason; the id when they were active until now.
UPDATE volunteers
SET active = false, deactivated_reason = $2, updated_at = now()
WHERE id = $1 AND active
RETURNING id;

-- name: deactivate_volunteer_by_chat
-- Stop the alerts of the volunteer of a Telegram chat (they blocked the bot); their id.
UPDATE volunteers
SET active = false, deactivated_reason = $2, updated_at = now()
WHERE telegram_chat_id = $1 AND active
RETURNING id;

-- name: delete_volunteer
-- Delete a volunteer; their areas go with them (ON DELETE CASCADE).
DELETE FROM volunteers WHERE id = $1 RETURNING id;

-- name: volunteer_publications
-- The alerts sent (or due) to a volunteer, for the export of their data.
SELECT c.public_id AS case_public_id, p.channel, p.state, p.language, p.created_at,
       p.sent_at, p.ended_at
FROM publications p
JOIN cases c ON c.id = p.case_id
WHERE p.volunteer_id = $1
ORDER BY p.created_at, p.id;

-- name: insert_volunteer_signup
-- Keep a web sign-up until its e-mail link is followed ($8: hours the link stays valid).
INSERT INTO volunteer_signups
    (token_hash, email, language, areas, quiet_start, quiet_end, client_key, expires_at)
VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, now() + make_interval(hours => $8));

-- name: count_recent_signups_for_email
-- How many sign-ups named this address in the last $2 minutes (to stop mail bombing).
SELECT count(*) FROM volunteer_signups
WHERE email = $1 AND created_at > now() - make_interval(mins => $2);

-- name: count_recent_signups_for_client
-- How many sign-ups came from this client (a keyed hash) in the last $2 minutes.
SELECT count(*) FROM volunteer_signups
WHERE client_key = $1 AND created_at > now() - make_interval(mins => $2);

-- name: signup_by_token
-- The sign-up a confirmation token belongs to, and whether it is still usable.
SELECT *, expires_at <= now() AS expired FROM volunteer_signups WHERE token_hash = $1;

-- name: lock_signup_by_token
-- The same, locked for the confirming transaction.
SELECT *, expires_at <= now() AS expired FROM volunteer_signups WHERE token_hash = $1
FOR UPDATE;

-- name: mark_signup_used
-- A followed link: remember that it was used, forget the address and the areas.
UPDATE volunteer_signups
SET used_at = now(), email = NULL, areas = NULL, client_key = NULL
WHERE id = $1;

-- name: pending_signups_for_email
-- Unconfirmed sign-ups of an address, for the export of a volunteer's data.
SELECT language, areas, quiet_start, quiet_end, created_at, expires_at
FROM volunteer_signups
WHERE email = $1 AND used_at IS NULL
ORDER BY created_at;

-- name: forget_signups_for_email
-- Drop every sign-up of an address (the volunteer asked to delete their data).
DELETE FROM volunteer_signups WHERE email = $1;

-- name: forget_expired_signups
-- Wipe the address and areas of expired sign-ups, and drop those a week past expiry.
WITH wiped AS (
    UPDATE volunteer_signups SET email = NULL, areas = NULL, client_key = NULL
    WHERE expires_at < now() AND expires_at >= now() - interval '7 days' AND email IS NOT NULL
)
DELETE FROM volunteer_signups WHERE expires_at < now() - interval '7 days';

-- name: conversation_get
-- Where a Telegram chat is in its conversation with the bot ($2: minutes before it is stale).
SELECT step, data FROM telegram_conversations
WHERE chat_id = $1 AND updated_at > now() - make_interval(mins => $2);

-- name: conversation_put
-- Save where a Telegram chat is in its conversation with the bot.
INSERT INTO telegram_conversations (chat_id, step, data, updated_at)
VALUES ($1, $2, $3::jsonb, now())
ON CONFLICT (chat_id) DO UPDATE
SET step = EXCLUDED.step, data = EXCLUDED.data, updated_at = now();

-- name: conversation_clear
-- Forget a Telegram chat's conversation (finished, cancelled or the data deleted).
DELETE FROM telegram_conversations WHERE chat_id = $1;

-- name: forget_stale_conversations
-- Drop conversations nobody continued within $1 minutes.
DELETE FROM telegram_conversations WHERE updated_at < now() - make_interval(mins => $1);

-- name: task_message_recipient
-- Volunteer $1 as the recipient of a task message (language, chat, confirmed e-mail, public id), if still active.
SELECT id, public_id, language, telegram_chat_id,
       CASE WHEN email_confirmed_at IS NOT NULL THEN email END AS email
FROM volunteers WHERE id = $1 AND active;

-- name: task_recipient_busy
-- Seconds to hold a task message to volunteer $1: 5 while an alert to them is due or being sent (the alert goes first), $2 if the service sent them anything in the last $2 seconds (Telegram takes one message a second per chat), else 0.
SELECT CASE
    WHEN EXISTS (SELECT 1 FROM publications WHERE volunteer_id = $1
                 AND (state = 'sending' OR (state = 'pending' AND next_attempt_at <= now()))) THEN 5.0
    WHEN EXISTS (SELECT 1 FROM publications WHERE volunteer_id = $1
                 AND sent_at > now() - make_interval(secs => $2))
      OR EXISTS (SELECT 1 FROM poster_messages WHERE volunteer_id = $1
                 AND sent_at > now() - make_interval(secs => $2))
      OR EXISTS (SELECT 1 FROM search_messages WHERE volunteer_id = $1
                 AND sent_at > now() - make_interval(secs => $2)) THEN $2
    ELSE 0.0 END::float8 AS hold;
