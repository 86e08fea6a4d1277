-- The dispatchers' shared rate limits as sliding windows (issue 18): "at most `per_window`
-- messages in any `window_seconds`", which is how Telegram (and the sandbox) count. A process
-- leases tokens (a row of rate_leases, in flight until its messages are answered); each answered
-- message then holds its token until `window_seconds` after its answer, the latest moment
-- Telegram can have counted it. The table of token buckets it replaces held nothing that
-- outlives a restart (it was UNLOGGED): the buckets are made again by the processes.
DROP TABLE rate_buckets;

CREATE UNLOGGED TABLE rate_buckets (
    key             text PRIMARY KEY,
    per_window      integer NOT NULL CHECK (per_window >= 1),
    window_seconds  double precision NOT NULL CHECK (window_seconds > 0),
    -- When the window is full, a process waits until this many tokens are free (fewer round trips).
    block           integer NOT NULL CHECK (block >= 1),
    -- Set from a 429's retry_after: nobody sends on this bucket before then.
    paused_until    timestamptz
);

CREATE UNLOGGED TABLE rate_leases (
    id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),  -- no sequence: the table is UNLOGGED
    key     text NOT NULL,
    tokens  integer NOT NULL,
    -- Counted in the window until then: a lease in flight until its process's deadline, an
    -- answered message until its answer's time plus the window.
    until   timestamptz NOT NULL
);

CREATE INDEX rate_leases_key_until_idx ON rate_leases (key, until);
