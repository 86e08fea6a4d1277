-- Shares of a rate limit (issue 18, part 3): each dispatcher process (each RateLimiter) that
-- sends on a shared limit ('telegram', 'email', 'webhook') holds a share of it, and counts its
-- own calls against that share in memory (alerts/outbox/shares.py). A row says how many calls
-- of the window the holder may have in it (`claim`) until `expires_at`, and whether it has
-- messages waiting (`demand`: the limit is split between those that do). The rows of a limit
-- change under one advisory lock, and their claims never add up to more than the limit.
-- Unlogged as rate_buckets: after a crash every process starts afresh.
CREATE UNLOGGED TABLE rate_shares (
    key             text NOT NULL,
    holder          text NOT NULL,
    claim           integer NOT NULL CHECK (claim >= 0),
    demand          boolean NOT NULL,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (key, holder)
);
