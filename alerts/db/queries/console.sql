-- name: staff_display_names
-- The display names of the staff members with these ids ($1: bigint[]).
SELECT id, display_name FROM staff WHERE id = ANY($1::bigint[]);
