-- name: metrics_snapshot
-- Read every figure of one scrape from the same snapshot (first statement of its transaction).
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;

-- name: metrics_publications
-- The registry by channel and state: every row counted, whatever its case, exercises apart.
SELECT p.channel, p.state, c.exercise, count(*)::bigint AS n
FROM publications p
JOIN cases c ON c.id = p.case_id
GROUP BY p.channel, p.state, c.exercise;

-- name: metrics_deliveries
-- Per channel $1: messages delivered so far (rows with a send time) and send attempts made.
SELECT channel,
       count(*) FILTER (WHERE sent_at IS NOT NULL)::bigint AS delivered,
       coalesce(sum(attempts), 0)::bigint AS attempts
FROM publications
WHERE channel = ANY($1::text[])
GROUP BY channel;

-- name: metrics_failures
-- Failed messages on channels $1 by channel and reason (gave up, refused, recipient gone).
SELECT channel, coalesce(end_reason, 'unknown') AS reason, count(*)::bigint AS n
FROM publications
WHERE state = 'failed' AND channel = ANY($1::text[])
GROUP BY channel, end_reason;

-- name: metrics_queue
-- The outbox's work by channel: pending (due now, or held by backoff or quiet hours), sending,
-- withdrawing; and how long the oldest due row has waited.
SELECT channel,
       count(*) FILTER (WHERE state = 'pending' AND next_attempt_at <= now())::bigint AS due,
       count(*) FILTER (WHERE state = 'pending' AND next_attempt_at > now())::bigint AS held,
       count(*) FILTER (WHERE state = 'sending')::bigint AS sending,
       count(*) FILTER (WHERE state = 'withdrawing')::bigint AS withdrawing,
       coalesce(extract(epoch FROM now() - min(next_attempt_at)
                FILTER (WHERE state IN ('pending', 'withdrawing') AND next_attempt_at <= now())),
                0)::float8 AS oldest_due_seconds
FROM publications
WHERE state IN ('pending', 'sending', 'withdrawing')
GROUP BY channel;

-- name: metrics_fanout_batches
-- The messages waiting in fan-out batches, and how long the oldest batch has waited.
SELECT coalesce(sum(messages), 0)::bigint AS messages,
       coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest_seconds
FROM fanout_batches;

-- name: metrics_withdrawal
-- What became of the publications of closed cases, by state, and how many closed cases still
-- have some withdrawing.
SELECT p.state, count(*)::bigint AS n, count(DISTINCT p.case_id)::bigint AS cases
FROM publications p
JOIN cases c ON c.id = p.case_id
WHERE c.state = 'closed'
GROUP BY p.state;

-- name: metrics_cases
-- Cases by state, exercises apart.
SELECT state, exercise, count(*)::bigint AS n FROM cases GROUP BY state, exercise;

-- name: metrics_sightings
-- Sightings by source (web form, JSON, Telegram) and by triage status.
SELECT source, status, count(*)::bigint AS n FROM sightings GROUP BY source, status;

-- name: metrics_volunteers
-- Volunteers by channel they can be reached on, active or not (one person may count on both).
SELECT 'telegram' AS channel, active, count(*)::bigint AS n
FROM volunteers WHERE telegram_chat_id IS NOT NULL GROUP BY active
UNION ALL
SELECT 'email', active, count(*)::bigint
FROM volunteers WHERE email IS NOT NULL AND email_confirmed_at IS NOT NULL GROUP BY active;

-- name: case_sightings_by_source
-- How many sightings case $1 received through each source (web form, JSON, Telegram).
SELECT source, count(*)::int AS n FROM sightings WHERE case_id = $1 GROUP BY source;

-- name: case_delivery_times_by_channel
-- The first and last delivery of case $1 on each of channels $2.
SELECT channel, min(sent_at) AS first_sent_at, max(sent_at) AS last_sent_at
FROM publications
WHERE case_id = $1 AND sent_at IS NOT NULL AND channel = ANY($2::text[])
GROUP BY channel;
