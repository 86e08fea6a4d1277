-- name: volunteer_by_email
-- The volunteer who signed up with this (normalised) e-mail address.
SELECT * FROM volunteers WHERE email = $1;

-- name: forget_old_manage_links
-- Drop the requests for a data link older than a day (the limits look back one hour).
DELETE FROM volunteer_manage_links WHERE created_at < now() - interval '1 day';

-- name: count_recent_manage_requests_for_client
-- How many data links this client (a keyed hash) asked for in the last $2 minutes, for any address.
SELECT count(*) FROM volunteer_manage_links
WHERE client_key = $1 AND created_at > now() - make_interval(mins => $2);

-- name: count_recent_manage_links_for_volunteer
-- How many data links were sent to this volunteer in the last $2 minutes (to stop mail bombing).
SELECT count(*) FROM volunteer_manage_links
WHERE volunteer_id = $1 AND token_hash IS NOT NULL
  AND created_at > now() - make_interval(mins => $2);

-- name: insert_manage_link
-- One request for a data link: token hash and volunteer ($1, $2; NULL when nothing was sent), client $3, valid $4 minutes.
INSERT INTO volunteer_manage_links (token_hash, volunteer_id, client_key, expires_at)
VALUES ($1, $2, $3, now() + make_interval(mins => $4));

-- name: manage_link_by_token
-- The data link of a token hash, its volunteer, and whether it is still usable.
SELECT l.id, l.volunteer_id, l.used_at, l.expires_at <= now() AS expired
FROM volunteer_manage_links l
WHERE l.token_hash = $1;

-- name: expire_manage_links_of_volunteer
-- End every data link of a volunteer (they deleted their data).
UPDATE volunteer_manage_links SET used_at = coalesce(used_at, now()) WHERE volunteer_id = $1;

-- name: volunteer_by_id
-- The volunteer behind a data link.
SELECT * FROM volunteers WHERE id = $1;
