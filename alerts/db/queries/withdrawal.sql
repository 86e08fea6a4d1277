-- name: claim_withdrawals
-- Claim for worker $1 up to $3 due withdrawals on channels $2, leased for $4 seconds (a dead worker's claims come due again then); on channels $5 only the newest row of each recipient (one notice covers the earlier ones); ends_appeal: its case is closed and it is the newest message sent to its recipient (a volunteer gets the ending with it).
WITH due AS (
    SELECT p.id, c.public_id, c.approved_at, w.secret AS webhook_secret,
           w.format AS webhook_format,
           -- the ending goes with the newest message sent to the recipient, once
           c.state = 'closed' AND NOT EXISTS (
               SELECT 1 FROM publications n
               WHERE n.case_id = p.case_id AND n.channel = p.channel AND n.target = p.target
                 AND n.id > p.id AND n.sent_at IS NOT NULL) AS ends_appeal
    FROM publications p
    JOIN cases c ON c.id = p.case_id
    LEFT JOIN partner_webhooks w ON p.channel = 'webhook'
        AND w.id = (CASE WHEN p.channel = 'webhook' THEN split_part(p.target, '/', 2)::bigint END)
    WHERE p.state = 'withdrawing' AND p.next_attempt_at <= now() AND p.channel = ANY($2::text[])
      AND NOT (p.channel = ANY($5::text[]) AND EXISTS (
          SELECT 1 FROM publications n
          WHERE n.case_id = p.case_id AND n.channel = p.channel AND n.target = p.target
            AND n.revision > p.revision AND n.state = 'withdrawing'))
    ORDER BY p.next_attempt_at, p.id
    LIMIT $3
    FOR UPDATE OF p SKIP LOCKED
)
UPDATE publications p
SET claimed_by = $1, claimed_at = now(), withdraw_attempts = p.withdraw_attempts + 1,
    next_attempt_at = now() + $4 * interval '1 second'
FROM due
WHERE p.id = due.id
RETURNING p.id, p.case_id, p.revision, p.channel, p.target, p.language, p.address,
          p.external_id, p.media, p.sent_at, p.withdraw_attempts AS attempts, due.public_id,
          due.approved_at, due.webhook_secret, due.webhook_format, p.end_reason,
          due.ends_appeal;

-- name: record_withdrawal_done
-- End withdrawal $1 claimed by $2 in state $3 (withdrawn, neutralised, manual) with how ($4) after why; the same recipient's earlier rows on channels $5, and the messages it edited in place, end with it.
WITH RECURSIVE edited (id) AS (
    SELECT edits_id FROM publications WHERE id = $1 AND edits_id IS NOT NULL
    UNION
    SELECT p.edits_id FROM publications p JOIN edited e ON p.id = e.id
    WHERE p.edits_id IS NOT NULL
), done AS (
    UPDATE publications
    SET state = $3, end_reason = concat_ws(': ', coalesce(end_reason, 'case closed'), $4::text),
        ended_at = now(), last_error = NULL
    WHERE id = $1 AND state = 'withdrawing' AND claimed_by = $2
    RETURNING id, case_id, channel, target, revision, end_reason, external_id
), earlier AS (
    UPDATE publications p
    SET state = $3, end_reason = done.end_reason, ended_at = now(), last_error = NULL
    FROM done
    WHERE p.case_id = done.case_id AND p.channel = done.channel AND p.target = done.target
      AND p.revision < done.revision AND p.state = 'withdrawing'
      AND done.channel = ANY($5::text[])
    RETURNING p.id
), carried AS (
    UPDATE publications p
    SET state = $3, end_reason = done.end_reason || ' (with the revision that edited it)',
        ended_at = now(), last_error = NULL
    FROM done
    WHERE p.id IN (SELECT id FROM edited) AND p.state IN ('superseded', 'withdrawing')
      -- a Telegram message sent anew (protected) leaves the earlier one to its own withdrawal
      AND (p.channel NOT IN ('telegram_dm', 'telegram_channel')
           OR p.external_id IS NOT DISTINCT FROM done.external_id)
    RETURNING p.id
)
SELECT (SELECT count(*) FROM done)::int AS done,
       ((SELECT count(*) FROM earlier) + (SELECT count(*) FROM carried))::int AS with_it;

-- name: record_withdrawal_retry
-- Put withdrawal $1 claimed by $2 back in the queue in $3 seconds with error $4; $5 false: the attempt does not count.
UPDATE publications
SET next_attempt_at = now() + $3 * interval '1 second', last_error = $4, claimed_by = NULL,
    claimed_at = NULL,
    withdraw_attempts = withdraw_attempts - CASE WHEN $5::boolean THEN 0 ELSE 1 END
WHERE id = $1 AND state = 'withdrawing' AND claimed_by = $2;

-- name: withdraw_hosted_leftovers
-- At the close of case $1: what we host and an earlier revision still lists (superseded), or that is still marked sent or withdrawing, is withdrawn: every address of the case answers 410.
UPDATE publications
SET state = 'withdrawn', ended_at = now(), end_reason = 'case closed'
WHERE case_id = $1 AND state IN ('sent', 'withdrawing', 'superseded')
  AND (channel IN ('case_page', 'poster', 'image', 'feed')
       OR (channel = 'press' AND target = 'press-room'));

-- name: end_stalled_sends_of_closed_cases
-- Sends claimed more than $1 seconds ago (their dispatcher died) whose case has closed since: whether they arrived is unknown and they cannot be sent any more, so a person is told.
UPDATE publications p
SET state = 'manual', ended_at = now(), claimed_by = NULL,
    end_reason = 'case closed: a dispatcher stopped while sending it, so whether it arrived is unknown'
FROM cases c
WHERE c.id = p.case_id AND c.state = 'closed' AND p.state = 'sending'
  AND p.claimed_at < now() - $1 * interval '1 second';

-- name: cancel_unsent_of_closed_cases
-- Rows of cases closed in the last day put back in the queue after the close (a send in flight that failed): never delivered, never to be sent.
UPDATE publications p
SET state = 'cancelled', end_reason = 'case_closed', ended_at = now(), claimed_by = NULL
WHERE p.state = 'pending'
  AND p.case_id IN (SELECT id FROM cases WHERE state = 'closed'
                    AND closed_at > now() - interval '1 day');

-- name: withdraw_out_of_scope
-- Case $1's consent narrowed: what is published on channels $2 (or, $3, the photo-bearing material we host, the press outlets and social posts; $4, Telegram photo messages, $5 only those sent fresh) ends: hosted rows withdrawn, unsent ones cancelled, sent ones queued for withdrawal, with reason $6.
WITH hosted AS (
    UPDATE publications
    SET state = 'withdrawn', end_reason = $6, ended_at = now()
    WHERE case_id = $1 AND state = 'sent'
      AND (channel IN ('case_page', 'poster', 'image', 'feed')
           OR (channel = 'press' AND target = 'press-room'))
      AND (channel = ANY($2::text[])
           OR ($3 AND (channel IN ('poster', 'image')
                       OR (channel = 'case_page' AND target = 'photo.jpg'))))
    RETURNING 1
), unsent AS (
    UPDATE publications
    SET state = 'cancelled', end_reason = $6, ended_at = now(), claimed_by = NULL
    WHERE case_id = $1 AND state IN ('pending', 'failed') AND channel = ANY($2::text[])
    RETURNING 1
), sent AS (
    UPDATE publications
    SET state = 'withdrawing', end_reason = $6, next_attempt_at = now(), last_error = NULL
    WHERE case_id = $1 AND state = 'sent'
      AND channel NOT IN ('case_page', 'poster', 'image', 'feed')
      AND NOT (channel = 'press' AND target = 'press-room')
      AND (channel = ANY($2::text[])
           OR ($3 AND channel IN ('press', 'social'))
           OR ($4 AND media = 'photo' AND channel IN ('telegram_dm', 'telegram_channel')
               AND (NOT $5 OR edits_id IS NULL)))
    RETURNING 1
)
SELECT (SELECT count(*) FROM hosted)::int AS hosted,
       (SELECT count(*) FROM unsent)::int AS cancelled,
       (SELECT count(*) FROM sent)::int AS withdrawing;

-- name: delete_photo_material
-- The rendered materials of case $1 (they embed the photo) and its Telegram file ids: gone when the consent no longer allows the photo.
WITH m AS (DELETE FROM materials WHERE case_id = $1 RETURNING 1),
     f AS (DELETE FROM telegram_files WHERE case_id = $1 RETURNING 1)
SELECT (SELECT count(*) FROM m)::int AS materials, (SELECT count(*) FROM f)::int AS files;

-- name: cases_out_of_scope
-- Active cases with a sent publication their latest consent no longer allows (revoked, past its end date, a channel below the level: $1 channels with their $2 levels), or a fresh Telegram photo message while it forbids the photo.
WITH levels AS (
    SELECT * FROM unnest($1::text[], $2::int[]) AS l (channel, level)
), latest AS (
    SELECT DISTINCT ON (case_id) case_id, level, photo, revoked_at, valid_until
    FROM consents ORDER BY case_id, id DESC
)
SELECT DISTINCT p.case_id
FROM publications p
JOIN cases c ON c.id = p.case_id AND c.state = 'active'
LEFT JOIN latest k ON k.case_id = p.case_id
LEFT JOIN levels l ON l.channel = p.channel
WHERE p.state = 'sent'
  AND (k.case_id IS NULL OR k.revoked_at IS NOT NULL OR k.valid_until <= now()
       OR k.level < greatest(coalesce(l.level, 0), 1)
       OR (NOT k.photo AND p.media = 'photo' AND p.edits_id IS NULL
           AND p.channel IN ('telegram_dm', 'telegram_channel')))
ORDER BY p.case_id;

-- name: record_manual_post
-- Record a post staff put on a social network by hand (URL $3) for revision $2 of case $1: published, to be removed by hand at withdrawal; its id (NULL: already recorded).
INSERT INTO publications (case_id, revision, channel, target, address, state, sent_at)
VALUES ($1, $2, 'social', $3, $3, 'sent', now())
ON CONFLICT (case_id, revision, channel, target) DO NOTHING
RETURNING id;

-- name: confirm_manual_removal
-- Staff member $3 confirms that publication $1 of case $2, marked for manual action, was removed.
UPDATE publications
SET state = 'withdrawn', end_reason = concat_ws(': ', end_reason, 'removal confirmed by staff'),
    confirmed_by = $3, confirmed_at = now(), ended_at = now()
WHERE id = $1 AND case_id = $2 AND state = 'manual'
RETURNING id;

-- name: delete_unpublished_materials
-- Rendered materials of active cases that nobody may download any more (their registry row is withdrawn: the consent narrowed, or they were rendered just after it did); how many.
WITH gone AS (
    DELETE FROM materials m
    USING cases c
    WHERE c.id = m.case_id AND c.state = 'active'
      AND NOT EXISTS (
          SELECT 1 FROM publications p
          WHERE p.case_id = m.case_id AND p.revision = m.revision
            AND p.channel = CASE m.kind WHEN 'poster' THEN 'poster' ELSE 'image' END
            AND p.target = m.kind || '-' || m.language
                           || CASE m.kind WHEN 'poster' THEN '.pdf' ELSE '.png' END
            AND p.state IN ('sent', 'superseded'))
    RETURNING 1
)
SELECT count(*)::int FROM gone;
