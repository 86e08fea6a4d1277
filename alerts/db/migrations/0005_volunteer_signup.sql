-- Volunteer sign-up: e-mail confirmations (double opt-in) and the Telegram bot's conversations.

-- Quiet hours are a pair (local time, Europe/Brussels) or absent; an empty range is a mistake.
ALTER TABLE volunteers
    ADD CONSTRAINT volunteers_quiet_hours_pair
    CHECK ((quiet_start IS NULL) = (quiet_end IS NULL)
           AND (quiet_start IS NULL OR quiet_start <> quiet_end));

-- A sign-up from the web form waits here until its e-mail link is followed; nobody becomes a
-- volunteer before that. Only a hash of the token is kept, so a database leak confirms nobody.
-- Once used or expired, the address and the areas are wiped (the row only explains a reused
-- or expired link).
CREATE TABLE volunteer_signups (
    id              bigserial PRIMARY KEY,
    token_hash      text NOT NULL UNIQUE,
    email           text CHECK (email = lower(email)),
    language        text NOT NULL CHECK (language IN ('nl', 'fr', 'de', 'en')),
    areas           jsonb,
    quiet_start     time,
    quiet_end       time,
    client_key      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);
CREATE INDEX volunteer_signups_email_idx ON volunteer_signups (email, created_at);
CREATE INDEX volunteer_signups_client_idx ON volunteer_signups (client_key, created_at);
CREATE INDEX volunteer_signups_expiry_idx ON volunteer_signups (expires_at);

-- Where each Telegram chat is in a conversation with the bot (sign-up, settings). Kept in the
-- database so that several web processes behind one webhook, and restarts, share it.
CREATE TABLE telegram_conversations (
    chat_id         bigint PRIMARY KEY,
    step            text NOT NULL,
    data            jsonb NOT NULL DEFAULT '{}',
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX telegram_conversations_updated_idx ON telegram_conversations (updated_at);
