-- Logins that hold and API tokens with limits (issue "Trust").
--
-- Every password prompt (login, /reauth, approve and close) counts its attempt on the account
-- before checking it, in one UPDATE; password_attempt_at is when the last one was counted, so
-- that failures older than the lockout window, and a lock that has ended, start the count again.
ALTER TABLE staff ADD COLUMN password_attempt_at timestamptz;

-- API tokens expire, carry scopes (read: GET; write: every other change; approve: approve and
-- close), and say who made them. Tokens made before this migration keep read and write (not
-- approve: an integration that approves needs a new token) and end 90 days from now.
ALTER TABLE api_tokens
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN scopes text[] NOT NULL DEFAULT '{read,write}',
    ADD COLUMN created_by bigint REFERENCES staff (id) ON DELETE SET NULL,
    ADD CONSTRAINT api_tokens_scopes_check
        CHECK (cardinality(scopes) > 0 AND scopes <@ '{read,write,approve}'::text[]);
UPDATE api_tokens SET expires_at = now() + interval '90 days';
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL, ALTER COLUMN scopes DROP DEFAULT;
