-- What each volunteer answered to a case's alert ("I can help", "I am nearby now", "Not
-- available"), the last answer counting. Only the distance ring of the fan-out's row is kept
-- (never the volunteer's point); the purge deletes a case's answers with the rest of its data.
CREATE TABLE case_answers (
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    volunteer_id bigint NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    answer text NOT NULL CHECK (answer IN ('help', 'nearby', 'unavailable')),
    ring text NOT NULL CHECK (ring IN ('0-2', '2-5', '5-10', '10-25', '25+')),
    channel text NOT NULL CHECK (channel IN ('telegram_dm', 'email')),
    answered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, volunteer_id)
);

CREATE INDEX case_answers_volunteer_idx ON case_answers (volunteer_id);
