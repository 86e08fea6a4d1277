-- name: public_cache_ping
-- Check that the web process's listening connection still answers.
SELECT 1;

-- name: public_cache_mark
-- A mark on the public pages' channel: every change committed before it is delivered before it.
SELECT pg_notify('alerts_public', $1);
