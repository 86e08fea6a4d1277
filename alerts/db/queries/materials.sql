-- name: insert_materials
-- Store the materials of a revision; $3..$6: parallel arrays of kind, language, type, bytes.
INSERT INTO materials (case_id, revision, kind, language, content_type, data)
SELECT $1, $2, m.kind, m.language, m.content_type, m.data
FROM unnest($3::text[], $4::text[], $5::text[], $6::bytea[])
     AS m (kind, language, content_type, data)
ON CONFLICT (case_id, revision, kind, language) DO NOTHING;

-- name: record_hosted_publications
-- Record what a revision hosts as published now; $3..$6: channel, target, language, address.
INSERT INTO publications (case_id, revision, channel, target, language, address, state, sent_at)
SELECT $1, $2, p.channel, p.target, p.language, p.address, 'sent', now()
FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS p (channel, target, language, address)
ON CONFLICT (case_id, revision, channel, target) DO NOTHING;

-- name: supersede_hosted_publications
-- End what we hosted for the revisions before $2: their addresses now lead to revision $2.
UPDATE publications
SET state = 'superseded', ended_at = now(), end_reason = $3
WHERE case_id = $1 AND revision < $2 AND state = 'sent'
  AND (channel IN ('case_page', 'poster', 'image', 'feed')
       OR (channel = 'press' AND target = 'press-room'));

-- name: withdraw_hosted_publications
-- Mark what we host for a case as withdrawn: its addresses answer 410 from this commit on.
UPDATE publications
SET state = 'withdrawn', ended_at = now(), end_reason = $2
WHERE case_id = $1 AND state IN ('sent', 'withdrawing')
  AND (channel IN ('case_page', 'poster', 'image', 'feed')
       OR (channel = 'press' AND target = 'press-room'));

-- name: current_material
-- A material of the current revision, only while the case is active and its publication stands.
SELECT m.content_type, m.data
FROM materials m
JOIN cases c ON c.id = m.case_id AND c.revision = m.revision
JOIN publications p ON p.case_id = m.case_id AND p.revision = m.revision
    AND p.channel = $4 AND p.target = $5 AND p.state = 'sent'
WHERE m.case_id = $1 AND m.kind = $2 AND m.language = $3 AND c.state = 'active';

-- name: material_index
-- The materials of one revision of a case, without their bytes, with their size.
SELECT kind, language, content_type, length(data) AS size
FROM materials WHERE case_id = $1 AND revision = $2
ORDER BY kind, language;

-- name: is_published_at
-- Whether the case is active at revision $2 with channel $3, target $4 published (sent).
SELECT EXISTS (
    SELECT 1 FROM publications p JOIN cases c ON c.id = p.case_id
    WHERE p.case_id = $1 AND p.revision = $2 AND p.channel = $3 AND p.target = $4
      AND p.state = 'sent' AND c.state = 'active' AND c.revision = $2
);
