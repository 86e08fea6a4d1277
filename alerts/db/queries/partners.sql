-- name: add_telegram_channel
-- Register a regional Telegram channel covering a circle; its id.
INSERT INTO telegram_channels (name, chat_id, language, lat, lon, radius_km, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id;

-- name: list_telegram_channels
-- Every regional Telegram channel (or only channel $1), active first then by name, with the posts it received (edits of a post not counted), its last delivery and its last error.
SELECT t.id, t.name, t.chat_id, t.language, t.lat, t.lon, t.radius_km, t.active, t.exercises,
       t.created_at,
       coalesce(sent.n, 0) AS sent, last.state AS last_state, last.at AS last_at,
       failed.last_error
FROM telegram_channels t
LEFT JOIN LATERAL (
    SELECT count(*) AS n FROM publications p
    WHERE p.channel = 'telegram_channel' AND p.target = 'channel/' || t.id
      AND p.sent_at IS NOT NULL AND p.edits_id IS NULL
) sent ON true
LEFT JOIN LATERAL (
    SELECT p.state, greatest(p.created_at, p.claimed_at, p.sent_at, p.ended_at) AS at
    FROM publications p
    WHERE p.channel = 'telegram_channel' AND p.target = 'channel/' || t.id
    ORDER BY p.id DESC LIMIT 1
) last ON true
LEFT JOIN LATERAL (
    SELECT p.last_error FROM publications p
    WHERE p.channel = 'telegram_channel' AND p.target = 'channel/' || t.id
      AND p.last_error IS NOT NULL
    ORDER BY p.id DESC LIMIT 1
) failed ON true
WHERE $1::bigint IS NULL OR t.id = $1
ORDER BY t.active DESC, lower(t.name), t.id;

-- name: lock_telegram_channel
-- Regional channel $1, locked until the end of the transaction (NULL: none).
SELECT id, name, chat_id, language, lat, lon, radius_km, active, exercises
FROM telegram_channels WHERE id = $1 FOR UPDATE;

-- name: update_telegram_channel
-- Set the name, language, centre, radius, active flag and whether it takes exercises of regional channel $1 (NULL: unchanged).
UPDATE telegram_channels
SET name = coalesce($2, name), language = coalesce($3, language), lat = coalesce($4, lat),
    lon = coalesce($5, lon), radius_km = coalesce($6, radius_km), active = coalesce($7, active),
    exercises = coalesce($8, exercises)
WHERE id = $1;

-- name: add_partner_webhook
-- Register a partner webhook; its id.
INSERT INTO partner_webhooks (name, url, secret, format, language, created_by)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;

-- name: list_partner_webhooks
-- Every partner webhook (or only webhook $1), active first then by name, without its secret, with the alerts it received (follow-ups not counted), its last delivery and its last error.
SELECT w.id, w.name, w.url, w.format, w.language, w.active, w.exercises, w.created_at,
       coalesce(sent.n, 0) AS sent, last.state AS last_state, last.at AS last_at,
       failed.last_error
FROM partner_webhooks w
LEFT JOIN LATERAL (
    SELECT count(*) AS n FROM publications p
    WHERE p.channel = 'webhook' AND p.target = 'webhook/' || w.id
      AND p.sent_at IS NOT NULL AND p.edits_id IS NULL
) sent ON true
LEFT JOIN LATERAL (
    SELECT p.state, greatest(p.created_at, p.claimed_at, p.sent_at, p.ended_at) AS at
    FROM publications p
    WHERE p.channel = 'webhook' AND p.target = 'webhook/' || w.id
    ORDER BY p.id DESC LIMIT 1
) last ON true
LEFT JOIN LATERAL (
    SELECT p.last_error FROM publications p
    WHERE p.channel = 'webhook' AND p.target = 'webhook/' || w.id
      AND p.last_error IS NOT NULL
    ORDER BY p.id DESC LIMIT 1
) failed ON true
WHERE $1::bigint IS NULL OR w.id = $1
ORDER BY w.active DESC, lower(w.name), w.id;

-- name: lock_partner_webhook
-- Partner webhook $1 without its secret, locked until the end of the transaction (NULL: none).
SELECT id, name, url, format, language, active, exercises
FROM partner_webhooks WHERE id = $1 FOR UPDATE;

-- name: update_partner_webhook
-- Set the name, address, format, language, active flag and whether it takes exercises of partner webhook $1 (NULL: unchanged).
UPDATE partner_webhooks
SET name = coalesce($2, name), url = coalesce($3, url), format = coalesce($4, format),
    language = coalesce($5, language), active = coalesce($6, active),
    exercises = coalesce($7, exercises)
WHERE id = $1;

-- name: set_partner_webhook_secret
-- Replace the secret of partner webhook $1 with $2: every request signed from now on uses it.
UPDATE partner_webhooks SET secret = $2 WHERE id = $1;

-- name: retarget_pending_publications
-- Give the unsent publications of channel $1 to target $2 its new language $3 and address $4.
UPDATE publications SET language = $3, address = $4
WHERE channel IN ('telegram_channel', 'webhook') AND channel = $1 AND target = $2
  AND state = 'pending';

-- name: cancel_pending_publications_of_target
-- Cancel the unsent publications of channel $1 to target $2 (deactivated); the number of rows.
UPDATE publications
SET state = 'cancelled', end_reason = 'target_deactivated', ended_at = now(), claimed_by = NULL
WHERE channel IN ('telegram_channel', 'webhook') AND channel = $1 AND target = $2
  AND state = 'pending';

-- name: move_telegram_channel
-- Regional channels at chat $1 (a group upgraded to a supergroup) now at chat $2, unless another channel has it; their ids.
UPDATE telegram_channels SET chat_id = $2
WHERE chat_id = $1 AND NOT EXISTS (SELECT 1 FROM telegram_channels WHERE chat_id = $2)
RETURNING id;

-- name: move_unsent_channel_posts
-- The regional channel posts not sent yet to chat $1 go to chat $2 (the group became a supergroup).
UPDATE publications SET address = $2
WHERE channel = 'telegram_channel' AND address = $1 AND state IN ('pending', 'sending');

-- name: deactivate_telegram_channels_at
-- Deactivate the active regional channels at chat $1 (the bot was removed from it); their ids.
UPDATE telegram_channels SET active = false
WHERE chat_id = $1 AND active
RETURNING id;
