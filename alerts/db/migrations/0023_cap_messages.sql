-- Every CAP 1.2 message the service has issued, once, by identifier: its `sent` is fixed when it
-- is first made and the same bytes go to the CAP feed and to every partner webhook, so that a
-- consumer's `references` (sender, identifier, sent) always name a message that exists. The
-- purge deletes a case's messages with the rest of its data.
CREATE TABLE cap_messages (
    identifier text PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    revision integer,
    msg_type text NOT NULL CHECK (msg_type IN ('Alert', 'Update', 'Cancel')),
    sent timestamptz NOT NULL,
    xml bytea NOT NULL
);

CREATE INDEX cap_messages_case_idx ON cap_messages (case_id, sent);
