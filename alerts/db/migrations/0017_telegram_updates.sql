-- Each Telegram update the bot has taken, by bot and update id: an update delivered again (a
-- retry of Telegram's, or a replay by anyone who has the webhook secret) is processed once,
-- across processes and restarts. The scheduler forgets them after a week (Telegram keeps an
-- update it could not deliver for 24 hours).
CREATE TABLE telegram_updates (
    bot_id bigint NOT NULL,
    update_id bigint NOT NULL,
    taken_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bot_id, update_id)
);

CREATE INDEX telegram_updates_taken_at_idx ON telegram_updates (taken_at);
