-- name: create_staff
-- Create a staff account; its id.
INSERT INTO staff (username, display_name, role, password_hash, language)
VALUES ($1, $2, $3, $4, $5)
RETURNING id;

-- name: staff_by_username
-- The account with this username, with its password hash and lockout state.
SELECT * FROM staff WHERE username = $1;

-- name: staff_by_id
-- The account with this id.
SELECT * FROM staff WHERE id = $1;

-- name: record_login_failure
-- Count a failed login; lock the account when the count reaches the limit ($2) for $3 minutes.
UPDATE staff
SET failed_logins = failed_logins + 1,
    locked_until = CASE WHEN failed_logins + 1 >= $2
                        THEN now() + make_interval(mins => $3) ELSE locked_until END
WHERE id = $1
RETURNING failed_logins, locked_until;

-- name: record_login_success
-- Reset the failure count after a good login.
UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = $1;

-- name: set_password
-- Replace an account's password hash.
UPDATE staff SET password_hash = $2 WHERE id = $1;

-- name: set_totp_secret
-- Turn TOTP on (a secret) or off (NULL) for an account.
UPDATE staff SET totp_secret = $2 WHERE id = $1;

-- name: set_staff_language
-- Record the language a staff member chose for the console.
UPDATE staff SET language = $2 WHERE id = $1;

-- name: create_session
-- Open a session for a staff member.
INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, reauth_at)
VALUES ($1, $2, $3, now());

-- name: session_with_staff
-- A live session and its staff member; touches the session. $2, $3: idle and absolute minutes.
UPDATE staff_sessions s SET last_seen_at = now()
FROM staff st
WHERE s.token_hash = $1 AND st.id = s.staff_id AND st.active
  AND s.last_seen_at > now() - make_interval(mins => $2)
  AND s.created_at > now() - make_interval(mins => $3)
RETURNING s.csrf_token, s.reauth_at, s.created_at AS session_created_at, st.*;

-- name: delete_session
-- End a session on the server.
DELETE FROM staff_sessions WHERE token_hash = $1;

-- name: delete_expired_sessions
-- Remove sessions past their idle ($1) or absolute ($2) timeout.
DELETE FROM staff_sessions
WHERE last_seen_at < now() - make_interval(mins => $1)
   OR created_at < now() - make_interval(mins => $2);

-- name: mark_reauth
-- Record that the session's owner just confirmed their password or TOTP code.
UPDATE staff_sessions SET reauth_at = now() WHERE token_hash = $1;

-- name: create_api_token
-- Store a new API token (its hash only); its id.
INSERT INTO api_tokens (name, token_hash, staff_id) VALUES ($1, $2, $3) RETURNING id;

-- name: staff_by_api_token
-- The staff member an unrevoked API token acts for; touches the token.
UPDATE api_tokens t SET last_used_at = now()
FROM staff st
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND st.id = t.staff_id AND st.active
RETURNING st.*;

-- name: count_recent_login_attempts
-- Failed logins from one client key in the last $2 minutes.
SELECT count(*) FROM login_attempts WHERE key_hash = $1 AND at > now() - make_interval(mins => $2);

-- name: add_login_attempt
-- Remember a failed login from a client key (a keyed hash, never the address).
INSERT INTO login_attempts (key_hash) VALUES ($1);

-- name: prune_login_attempts
-- Forget failed logins older than a day.
DELETE FROM login_attempts WHERE at < now() - interval '1 day';
