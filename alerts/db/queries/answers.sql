-- name: record_answer
-- Record volunteer $2's answer $3 to case $1 through channel $4, the last answer counting, in the distance ring of the fan-out's row (sort_key, the distance computed at the fan-out); 'closed' when the case is not active, 'unknown' when no alert of the case was sent to the volunteer on that channel, else 'recorded'.
WITH alert AS (
    SELECT p.sort_key AS km
    FROM publications p
    WHERE p.case_id = $1 AND p.volunteer_id = $2 AND p.channel = $4 AND p.sent_at IS NOT NULL
    ORDER BY p.id DESC
    LIMIT 1
), live AS (
    SELECT 1 FROM cases WHERE id = $1 AND state = 'active'
), saved AS (
    INSERT INTO case_answers (case_id, volunteer_id, answer, ring, channel)
    SELECT $1, $2, $3, CASE WHEN alert.km < 2 THEN '0-2' WHEN alert.km < 5 THEN '2-5'
                            WHEN alert.km < 10 THEN '5-10' WHEN alert.km < 25 THEN '10-25'
                            ELSE '25+' END, $4
    FROM alert, live
    ON CONFLICT (case_id, volunteer_id) DO UPDATE
    SET answer = excluded.answer, channel = excluded.channel, answered_at = now()
    RETURNING 1
)
SELECT CASE WHEN NOT EXISTS (SELECT FROM live) THEN 'closed'
            WHEN NOT EXISTS (SELECT FROM alert) THEN 'unknown'
            ELSE 'recorded' END;

-- name: telegram_alert_answered
-- The case and volunteer of the alert message $2 sent to Telegram chat $1 (the chat the button was pressed in), if it is one.
SELECT p.case_id, p.volunteer_id
FROM publications p
JOIN volunteers v ON v.id = p.volunteer_id AND v.telegram_chat_id = $1
WHERE p.channel = 'telegram_dm' AND p.external_id = $2::text AND p.sent_at IS NOT NULL
ORDER BY p.id DESC
LIMIT 1;

-- name: answer_of
-- Volunteer $2's current answer to case $1, if any.
SELECT answer FROM case_answers WHERE case_id = $1 AND volunteer_id = $2;

-- name: case_answer_counts
-- The answers to case $1 counted by distance ring and answer.
SELECT ring, answer, count(*)::int AS n
FROM case_answers WHERE case_id = $1
GROUP BY ring, answer;

-- name: answer_totals
-- The answers to the active cases counted by answer and distance ring, for /metrics.
SELECT a.answer, a.ring, count(*)::bigint AS n
FROM case_answers a JOIN cases c ON c.id = a.case_id AND c.state = 'active'
GROUP BY a.answer, a.ring;
