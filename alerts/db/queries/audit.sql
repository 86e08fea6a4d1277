-- name: add_audit
-- Record a staff action.
INSERT INTO audit_log (staff_id, action, case_id, details) VALUES ($1, $2, $3, $4::jsonb);

-- name: list_audit
-- The latest audit entries, newest first, optionally for one case ($1 NULL: all); $2 limit.
SELECT a.id, a.at, a.action, a.case_id, a.details, st.username, c.reference
FROM audit_log a
LEFT JOIN staff st ON st.id = a.staff_id
LEFT JOIN cases c ON c.id = a.case_id
WHERE $1::bigint IS NULL OR a.case_id = $1
ORDER BY a.id DESC
LIMIT $2;
