-- name: cases_due_for_purge
-- Closed cases not yet purged whose close is more than $1 days ago; `unfinished` when some publication or poster is still being taken back (the purge waits for it: the withdrawal needs the addresses and places).
SELECT c.id,
       EXISTS (SELECT 1 FROM publications p WHERE p.case_id = c.id
               AND p.state IN ('pending', 'sending', 'withdrawing'))
       OR EXISTS (SELECT 1 FROM poster_rounds r WHERE r.case_id = c.id AND r.state <> 'done')
           AS unfinished
FROM cases c
WHERE c.state = 'closed' AND c.purged_at IS NULL
  AND c.closed_at <= now() - make_interval(days => $1)
ORDER BY c.closed_at, c.id;

-- name: lock_case_for_purge
-- Case $1, locked, if it is closed and not purged yet.
SELECT id, reference, kind, close_reason, approved_at, closed_at
FROM cases WHERE id = $1 AND state = 'closed' AND purged_at IS NULL
FOR UPDATE;

-- name: purge_photos
-- Delete the photos of case $1; how many.
WITH gone AS (DELETE FROM photos WHERE case_id = $1 RETURNING 1)
SELECT count(*)::int FROM gone;

-- name: purge_materials
-- Delete the rendered posters and images of case $1; how many.
WITH gone AS (DELETE FROM materials WHERE case_id = $1 RETURNING 1)
SELECT count(*)::int FROM gone;

-- name: purge_telegram_files
-- Forget the Telegram file ids of case $1's photos; how many.
WITH gone AS (DELETE FROM telegram_files WHERE case_id = $1 RETURNING 1)
SELECT count(*)::int FROM gone;

-- name: purge_sightings
-- Delete the sightings of case $1 (what tipsters wrote, their photos and contact details); how many.
WITH gone AS (DELETE FROM sightings WHERE case_id = $1 RETURNING 1)
SELECT count(*)::int FROM gone;

-- name: purge_sighting_drafts
-- Delete the sightings of case $1 still being reported through the bot; how many.
WITH gone AS (DELETE FROM telegram_sightings WHERE case_id = $1 RETURNING 1)
SELECT count(*)::int FROM gone;

-- name: purge_revisions
-- Empty the snapshots of case $1's revisions (their numbers and dates stay); how many.
WITH gone AS (
    UPDATE case_revisions SET snapshot = '{}'::jsonb
    WHERE case_id = $1 AND snapshot <> '{}'::jsonb RETURNING 1
)
SELECT count(*)::int FROM gone;

-- name: purge_message_texts
-- Forget the texts sent for case $1, the volunteers' addresses (e-mail, chat) and the addresses of posts made by hand; how many rows changed.
WITH gone AS (
    UPDATE publications
    SET body = NULL, last_error = NULL,
        address = CASE WHEN channel IN ('email', 'telegram_dm', 'social') OR volunteer_id IS NOT NULL
                       THEN NULL ELSE address END,
        target = CASE WHEN channel = 'social' THEN 'social/' || id ELSE target END
    WHERE case_id = $1
      AND (body IS NOT NULL OR last_error IS NOT NULL OR channel = 'social'
           OR (address IS NOT NULL
               AND (channel IN ('email', 'telegram_dm') OR volunteer_id IS NOT NULL)))
    RETURNING 1
)
SELECT count(*)::int FROM gone;

-- name: purge_consent_details
-- Forget who gave case $1's consents and their relation to the child; how many consents.
WITH gone AS (
    UPDATE consents SET given_by = '', relation = ''
    WHERE case_id = $1 AND (given_by <> '' OR relation <> '') RETURNING 1
)
SELECT count(*)::int FROM gone;

-- name: purge_case_fields
-- Empty the child's name, description and last-seen place on case $1 and mark it purged.
UPDATE cases
SET first_name = '', last_name = '', age = NULL, sex = NULL, height_cm = NULL, build = '',
    hair = '', eyes = '', clothing = '', marks = '', description = '', last_seen_place = '',
    last_seen_lat = NULL, last_seen_lon = NULL, purged_at = now(), updated_at = now()
WHERE id = $1;

-- name: record_purge
-- Keep the minimal record of a purged case: reference, kind, dates, counts ($7).
INSERT INTO purge_records (case_id, reference, kind, close_reason, approved_at, closed_at, counts)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
ON CONFLICT (case_id) DO NOTHING;

-- name: scheduler_try_lock
-- Take the advisory lock of scheduled job $1 for this session, if nobody holds it.
SELECT pg_try_advisory_lock(hashtextextended('alerts.scheduler:' || $1, 0));

-- name: scheduler_unlock
-- Release the advisory lock of scheduled job $1.
SELECT pg_advisory_unlock(hashtextextended('alerts.scheduler:' || $1, 0));

-- name: scheduler_is_due
-- Whether job $1 last ran more than $2 seconds ago (or never).
SELECT coalesce((SELECT last_run_at <= now() - $2 * interval '1 second'
                 FROM scheduler_runs WHERE job = $1), true);

-- name: scheduler_record_run
-- Remember that job $1 ran now, with its result $2.
INSERT INTO scheduler_runs (job, last_run_at, result) VALUES ($1, now(), $2::jsonb)
ON CONFLICT (job) DO UPDATE SET last_run_at = excluded.last_run_at, result = excluded.result;

-- name: purge_cap_messages
-- Delete the CAP messages issued for case $1; how many.
WITH gone AS (DELETE FROM cap_messages WHERE case_id = $1 RETURNING 1)
SELECT count(*)::int FROM gone;

-- name: purge_answers
-- Delete what volunteers answered to case $1's alert; how many.
WITH gone AS (DELETE FROM case_answers WHERE case_id = $1 RETURNING 1)
SELECT count(*)::int FROM gone;
