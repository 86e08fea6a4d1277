-- name: claim_publications
-- Claim for worker $1 up to $3 due publications of channels $2, nearest first (state sending), with what sending each needs and the case's state as this claim reads it (`case_state`: a claim that reads the case closed is never sent, whatever the dispatcher's cached view says). The rows are picked from the pending index alone, joined after: joined before, the planner (misled by a fresh fan-out's unanalysed rows, or by few active cases) sorted every pending row with its joins on each claim, tens of milliseconds at 10,000 pending. A row of a case no longer active is claimed too, and ended right away.
WITH due AS (
    SELECT p.id
    FROM publications p
    WHERE p.state = 'pending' AND p.next_attempt_at <= now() AND p.channel = ANY($2::text[])
    ORDER BY p.sort_key, p.id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE publications p
    SET state = 'sending', claimed_by = $1, claimed_at = now(), attempts = p.attempts + 1
    FROM due
    WHERE p.id = due.id
    RETURNING p.id, p.case_id, p.revision, p.channel, p.target, p.language, p.address,
              p.volunteer_id, p.attempts, p.edits_id, p.sort_key
)
SELECT claimed.id, claimed.case_id, claimed.revision, claimed.channel, claimed.target,
       claimed.language, claimed.address, claimed.volunteer_id, claimed.attempts,
       claimed.edits_id, prev.external_id AS previous_external_id,
       prev.media AS previous_media, prev.state AS previous_state,
       prev.protected AS previous_protected,
       v.public_id AS volunteer_public_id,
       -- opted out, or out of exercises for an exercise case, since the row was queued
       coalesce(v.active AND (v.exercises OR NOT c.exercise), false) AS volunteer_active,
       w.secret AS webhook_secret, w.format AS webhook_format, c.state AS case_state
FROM claimed
JOIN cases c ON c.id = claimed.case_id
LEFT JOIN publications prev ON prev.id = claimed.edits_id
LEFT JOIN volunteers v ON v.id = claimed.volunteer_id
LEFT JOIN partner_webhooks w ON claimed.channel = 'webhook'
    AND w.id = (CASE WHEN claimed.channel = 'webhook'
                     THEN split_part(claimed.target, '/', 2)::bigint END)
ORDER BY claimed.sort_key, claimed.id;

-- name: record_sent
-- Record deliveries by worker $1 (ids $2, external ids $3, bodies $4, media $5, times $7, protected from forwarding $8; cases $6, read without a lock so that a close never waits for a record): sent, or withdrawing when the case closed meanwhile (a close committed after this read is caught by `end_closed_outbox`).
WITH c AS (
    SELECT id, state FROM cases WHERE id = ANY($6::bigint[])
), s AS (
    SELECT * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $7::timestamptz[],
                         $8::boolean[])
        AS s(id, external_id, body, media, sent_at, protected)
)
UPDATE publications p
SET state = CASE WHEN c.state = 'active' THEN 'sent' ELSE 'withdrawing' END,
    external_id = s.external_id, body = s.body, media = s.media, sent_at = s.sent_at,
    protected = s.protected, next_attempt_at = now(), last_error = NULL
FROM s, c
WHERE p.id = s.id AND c.id = p.case_id AND p.state = 'sending' AND p.claimed_by = $1
RETURNING p.id, p.state, p.edits_id;

-- name: supersede_publications
-- End the earlier rows ($1) whose message a newer revision's row now carries (edited in place).
UPDATE publications SET state = 'superseded', end_reason = 'edited_by_revision', ended_at = now()
WHERE id = ANY($1::bigint[]) AND state = 'sent';

-- name: withdraw_replaced_publications
-- Take back the earlier messages ($1) that newer ones replaced instead of editing them (forwarding withdrawn: an edit cannot protect a message): queued for withdrawal, with why ($2).
UPDATE publications
SET state = 'withdrawing', end_reason = $2,
    next_attempt_at = now(), last_error = NULL, claimed_by = NULL
WHERE id = ANY($1::bigint[]) AND state = 'sent';

-- name: record_retry
-- Put publication $1 claimed by $2 back in the queue in $3 seconds with error $4; $5 false: the attempt does not count.
UPDATE publications
SET state = 'pending', next_attempt_at = now() + $3 * interval '1 second', last_error = $4,
    claimed_by = NULL, claimed_at = NULL,
    attempts = attempts - CASE WHEN $5::boolean THEN 0 ELSE 1 END
WHERE id = $1 AND state = 'sending' AND claimed_by = $2;

-- name: record_ended
-- End publication $1 claimed by $2 without a message: state $3 (failed or cancelled), error $4, reason $5.
UPDATE publications
SET state = $3, last_error = $4, end_reason = $5, ended_at = now()
WHERE id = $1 AND state = 'sending' AND claimed_by = $2;

-- name: release_stalled_claims
-- Return to the queue the publications claimed more than $1 seconds ago (their dispatcher died); how many.
WITH released AS (
    UPDATE publications
    SET state = 'pending', claimed_by = NULL, claimed_at = NULL, next_attempt_at = now()
    WHERE state = 'sending' AND claimed_at < now() - $1 * interval '1 second'
    RETURNING 1
)
SELECT count(*) FROM released;

-- name: case_dispatch_state
-- The state, revision and latest consent id of case $1: whether and what to send.
SELECT c.state, c.revision,
       (SELECT id FROM consents WHERE case_id = c.id ORDER BY id DESC LIMIT 1) AS consent_id
FROM cases c WHERE c.id = $1;

-- name: rate_configure
-- Create or re-rate bucket $1: $2 tokens a second, lent up to $3 ahead.
INSERT INTO rate_buckets (key, rate, lookahead, tokens)
VALUES ($1, $2, $3, 1)
ON CONFLICT (key) DO UPDATE SET rate = excluded.rate, lookahead = excluded.lookahead;

-- name: rate_take
-- Refill bucket $1 for the time elapsed (saving at most one token), then lend up to $2 whole tokens, at most `lookahead` ahead (none while paused): granted, and the balance left (below zero: the tokens still to be earned).
WITH b AS (
    SELECT r.key, r.rate, r.lookahead, t.at, r.paused_until,
           least(1.0, r.tokens
                 + r.rate * greatest(0, extract(epoch FROM t.at - r.updated_at))::float8) AS available
    FROM rate_buckets r, (SELECT clock_timestamp() AS at) t
    WHERE r.key = $1
    FOR UPDATE OF r
), g AS (
    SELECT b.*, CASE WHEN b.paused_until > b.at THEN 0
                     ELSE greatest(0, least($2::int, floor(b.available + b.lookahead)::int)) END
                AS granted
    FROM b
)
UPDATE rate_buckets r SET tokens = g.available - g.granted, updated_at = g.at
FROM g WHERE r.key = g.key
RETURNING g.granted, g.available - g.granted AS left, g.rate, g.lookahead,
          coalesce(greatest(0, extract(epoch FROM g.paused_until - g.at)), 0)::float8 AS paused_for;

-- name: rate_give_back
-- Return $2 tokens lent but not used to bucket $1.
UPDATE rate_buckets SET tokens = least(1.0, tokens + $2) WHERE key = $1;

-- name: rate_pause
-- Nobody takes from bucket $1 for $2 seconds (a 429's retry_after); a saved token is dropped.
UPDATE rate_buckets
SET paused_until = greatest(paused_until, clock_timestamp() + $2 * interval '1 second'),
    tokens = least(tokens, 0), updated_at = clock_timestamp()
WHERE key = $1;

-- name: telegram_file_get
-- The Telegram file_id of a case revision's material, if uploaded.
SELECT file_id FROM telegram_files WHERE case_id = $1 AND revision = $2 AND material = $3;

-- name: telegram_file_lock
-- Serialise the first upload of one material across processes, until the transaction ends.
SELECT pg_advisory_xact_lock(hashtextextended('telegram_file:' || $1, 0));

-- name: telegram_file_put
-- Remember the file_id Telegram gave a case revision's material.
INSERT INTO telegram_files (case_id, revision, material, file_id) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING;

-- name: case_reach
-- How far the fan-out of case $1 on channels $2 got: the latest row of each target, counted by channel and state.
WITH latest AS (
    SELECT DISTINCT ON (channel, target) channel, state
    FROM publications WHERE case_id = $1 AND channel = ANY($2::text[])
    ORDER BY channel, target, revision DESC
)
SELECT channel, state, count(*)::int AS n FROM latest GROUP BY channel, state ORDER BY 1, 2;

-- name: case_delivery_times
-- When case $1 was approved, and its first and last delivery on channels $2.
SELECT c.approved_at, min(p.sent_at) AS first_sent_at, max(p.sent_at) AS last_sent_at
FROM cases c
LEFT JOIN publications p ON p.case_id = c.id AND p.sent_at IS NOT NULL
    AND p.channel = ANY($2::text[])
WHERE c.id = $1
GROUP BY c.approved_at;

-- name: rate_share_lock
-- Serialise the changes to the shares of limit $1 until the transaction ends (each statement after it reads the others' latest rows).
SELECT pg_advisory_xact_lock(hashtextextended('rate_share:' || $1, 0));

-- name: rate_share_beat
-- Renew holder $2's share of limit $1 ($3 calls a window; $4: it has messages waiting; $5: calls it may have in the window now; $6: seconds the row lives): the split target, the claim recorded (what it may have in the window), what it may use, and the bucket's pause.
WITH others AS (
    SELECT count(*) FILTER (WHERE demand) AS demanding, count(*) AS live,
           coalesce(sum(claim), 0)::int AS claimed
    FROM rate_shares
    WHERE key = $1 AND holder <> $2 AND expires_at > clock_timestamp()
), split AS (
    SELECT CASE WHEN $4 THEN $3::int / (o.demanding + 1)::int
                WHEN o.demanding > 0 THEN 0
                ELSE $3::int / (o.live + 1)::int END AS target,
           greatest(0, $3::int - o.claimed) AS free
    FROM others o
), gone AS (
    DELETE FROM rate_shares
    WHERE key = $1 AND expires_at < clock_timestamp() - interval '1 minute'
), mine AS (
    INSERT INTO rate_shares AS r (key, holder, claim, demand, expires_at)
    SELECT $1, $2, greatest($5::int, least(s.target, s.free)), $4,
           clock_timestamp() + $6 * interval '1 second'
    FROM split s
    ON CONFLICT (key, holder) DO UPDATE
        SET claim = excluded.claim, demand = excluded.demand, expires_at = excluded.expires_at
    RETURNING r.claim
)
SELECT s.target, m.claim, least(s.target, s.free) AS usable,
       coalesce((SELECT greatest(0, extract(epoch FROM b.paused_until - clock_timestamp()))
                 FROM rate_buckets b WHERE b.key = $1), 0)::float8 AS paused_for
FROM split s, mine m;

-- name: rate_share_leave
-- Holder $2 leaves limit $1: nothing waiting, and its row (its calls still in the window) lives $3 more seconds.
UPDATE rate_shares SET demand = false, expires_at = clock_timestamp() + $3 * interval '1 second'
WHERE key = $1 AND holder = $2;
