-- name: take_fanout_join
-- The oldest volunteer who joined or moved during an alert that no other dispatcher is planning, deleted (the transaction that plans them commits both).
DELETE FROM fanout_joins
WHERE id = (SELECT id FROM fanout_joins ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id, volunteer_id;

-- name: cases_for_join
-- The active cases whose last-seen point is within reach of an area of active volunteer $1 (both the case's search radius and the area's), with the nearest such area's distance, that never sent the volunteer anything.
SELECT c.id, min(haversine_km(c.last_seen_lat, c.last_seen_lon, a.lat, a.lon)) AS distance
FROM cases c
JOIN volunteers v ON v.id = $1 AND v.active
JOIN volunteer_areas a ON a.volunteer_id = v.id
WHERE c.state = 'active' AND c.last_seen_lat IS NOT NULL AND c.last_seen_lon IS NOT NULL
  AND haversine_km(c.last_seen_lat, c.last_seen_lon, a.lat, a.lon)
      <= least(a.radius_km, c.search_radius_km)
  AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.case_id = c.id AND p.volunteer_id = v.id)
GROUP BY c.id;

-- name: plan_join
-- Queue revision $2 of case $1 on channels $3 for volunteer $4 at $5 km as a batch of one, numbered $6 (below zero: made before the fan-out's own batches), $7 overriding quiet hours; the dispatchers' expansion turns it into rows as any batch.
INSERT INTO fanout_batches (case_id, revision, seq, channels, override_quiet, volunteer_ids,
                            distances, messages)
VALUES ($1, $2, $6, $3, $7, ARRAY[$4::bigint], ARRAY[$5::float8], cardinality($3::text[]))
ON CONFLICT DO NOTHING;
