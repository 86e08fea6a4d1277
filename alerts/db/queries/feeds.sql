-- name: feed_history
-- The feed publications of active cases and of cases closed in the last $1 days, oldest first.
SELECT p.case_id, p.revision, p.target, p.sent_at
FROM publications p
JOIN cases c ON c.id = p.case_id
WHERE p.channel = 'feed'
  AND p.sent_at IS NOT NULL
  AND (c.state = 'active' OR c.closed_at > now() - make_interval(days => $1))
ORDER BY p.case_id, p.revision, p.target;
