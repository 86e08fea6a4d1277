-- name: take_telegram_update
-- Record an update as taken: its id back the first time, nothing after (one of concurrent takers).
INSERT INTO telegram_updates (bot_id, update_id) VALUES ($1, $2)
ON CONFLICT DO NOTHING
RETURNING update_id;

-- name: prune_telegram_updates
-- Forget the updates taken more than a week ago.
DELETE FROM telegram_updates WHERE taken_at < now() - interval '7 days';
