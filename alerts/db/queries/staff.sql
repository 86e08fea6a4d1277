-- name: create_staff
-- Create a staff account; its id.
INSERT INTO staff (username, display_name, role, password_hash, language, email)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;

-- name: staff_by_username
-- The account with this username, with its password hash and lockout state.
SELECT * FROM staff WHERE username = $1;

-- name: staff_by_id
-- The account with this id.
SELECT * FROM staff WHERE id = $1;

-- name: claim_password_attempt
-- Count a password attempt on account $1 before it is checked, in one statement: allowed while
-- the count is within the limit ($2); reaching it locks for $3 minutes; an ended lock, or a
-- last attempt older than $3 minutes, starts the count again.
UPDATE staff
SET failed_logins = CASE
        WHEN COALESCE(locked_until <= now(),
                      password_attempt_at <= now() - make_interval(mins => $3), true)
        THEN 1 ELSE failed_logins + 1 END,
    locked_until = CASE
        WHEN COALESCE(locked_until <= now(),
                      password_attempt_at <= now() - make_interval(mins => $3), true)
        THEN CASE WHEN 1 >= $2 THEN now() + make_interval(mins => $3) END
        WHEN locked_until IS NOT NULL THEN locked_until
        WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3)
        END,
    password_attempt_at = now()
WHERE id = $1
RETURNING failed_logins <= $2 AS allowed, failed_logins = $2 AS just_locked, locked_until;

-- name: record_login_success
-- A good password: the failure count starts again.
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
-- Store a new API token (its hash only) with its scopes, lasting $5 days; its id.
INSERT INTO api_tokens (name, token_hash, staff_id, scopes, expires_at, created_by)
VALUES ($1, $2, $3, $4, now() + make_interval(days => $5), $6)
RETURNING id;

-- name: list_api_tokens
-- Every API token, newest first, with whom it acts for and who made it; never its hash.
SELECT t.id, t.name, t.scopes, t.created_at, t.expires_at, t.last_used_at, t.revoked_at,
       st.username, cb.username AS created_by_username
FROM api_tokens t
JOIN staff st ON st.id = t.staff_id
LEFT JOIN staff cb ON cb.id = t.created_by
ORDER BY t.id DESC;

-- name: api_token_by_id
-- One API token as the lists show it.
SELECT t.id, t.name, t.scopes, t.created_at, t.expires_at, t.last_used_at, t.revoked_at,
       st.username, cb.username AS created_by_username
FROM api_tokens t
JOIN staff st ON st.id = t.staff_id
LEFT JOIN staff cb ON cb.id = t.created_by
WHERE t.id = $1;

-- name: revoke_api_token
-- Revoke an API token (the first revocation's time stays); its id, or nothing when unknown.
UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id;

-- name: api_token_for_use
-- The staff member and scopes of a live token (unrevoked, unexpired, owner active); records the
-- use when the last one is older than $2 seconds (one write a minute, not one per request).
WITH found AS (
    SELECT t.id AS token_id, t.scopes AS token_scopes, st.*
    FROM api_tokens t
    JOIN staff st ON st.id = t.staff_id
    WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND st.active
), touched AS (
    UPDATE api_tokens SET last_used_at = now()
    WHERE id = (SELECT token_id FROM found)
      AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))
)
SELECT * FROM found;

-- name: count_recent_login_attempts
-- Failed logins from one client key in the last $2 minutes.
SELECT count(*) FROM login_attempts WHERE key_hash = $1 AND at > now() - make_interval(mins => $2);

-- name: add_login_attempt
-- Count a password attempt from a client key (a keyed hash, never the address).
INSERT INTO login_attempts (key_hash) VALUES ($1);

-- name: forget_login_attempt
-- Forget one attempt of a client key (its password was right, or it was refused unchecked).
DELETE FROM login_attempts
WHERE ctid = (SELECT ctid FROM login_attempts WHERE key_hash = $1 ORDER BY at DESC LIMIT 1);

-- name: prune_login_attempts
-- Forget failed logins older than a day.
DELETE FROM login_attempts WHERE at < now() - interval '1 day';

-- name: list_active_staff
-- The usernames and names of the active accounts (the console's token form offers them).
SELECT username, display_name, role FROM staff WHERE active ORDER BY username;

-- name: case_staff_mail_recipients
-- The active staff with an e-mail address among $1 (the case's staff) and the supervisors: id, name, e-mail and language.
SELECT id, display_name, email, language FROM staff
WHERE active AND email IS NOT NULL AND (id = ANY($1::bigint[]) OR role IN ('supervisor', 'admin'))
ORDER BY id;
