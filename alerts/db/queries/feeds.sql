-- name: feed_history
-- The feed publications of active cases and of cases closed in the last $1 days, oldest first.
SELECT p.case_id, p.revision, p.target, p.sent_at
FROM publications p
JOIN cases c ON c.id = p.case_id
WHERE p.channel = 'feed'
  AND p.sent_at IS NOT NULL
  AND (c.state = 'active' OR c.closed_at > now() - make_interval(days => $1))
ORDER BY p.case_id, p.revision, p.target;

-- name: atom_feed_history
-- The Atom feed's publications (revision, state, when sent and ended) of active cases and of cases closed in the last $1 days, by case and revision.
SELECT p.case_id, p.revision, p.state, p.sent_at, p.ended_at
FROM publications p
JOIN cases c ON c.id = p.case_id
WHERE p.channel = 'feed' AND p.target = 'atom'
  AND p.sent_at IS NOT NULL
  AND (c.state = 'active' OR c.closed_at > now() - make_interval(days => $1))
ORDER BY p.case_id, p.revision;

-- name: atom_feed_changed
-- When the Atom feed last changed: an entry sent, ended, or its deleted entry gone after $1 days; and when the service was set up.
SELECT max(greatest(p.sent_at, p.ended_at,
                    CASE WHEN p.ended_at + make_interval(days => $1) <= now()
                         THEN p.ended_at + make_interval(days => $1) END)) AS changed,
       (SELECT min(applied_at) FROM schema_migrations) AS started
FROM publications p
WHERE p.channel = 'feed' AND p.target = 'atom';
