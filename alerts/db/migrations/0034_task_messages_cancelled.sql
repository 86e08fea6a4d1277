-- A task message that asks for help (a poster round's invitation or request to replace, a field
-- search's call-out or change) and was still queued when its case closed or its task ended is
-- not sent: it is recorded 'cancelled' (closing always wins).
ALTER TABLE poster_messages DROP CONSTRAINT poster_messages_state_check;
ALTER TABLE poster_messages ADD CONSTRAINT poster_messages_state_check
    CHECK (state IN ('pending', 'sent', 'failed', 'cancelled'));
ALTER TABLE search_messages DROP CONSTRAINT search_messages_state_check;
ALTER TABLE search_messages ADD CONSTRAINT search_messages_state_check
    CHECK (state IN ('pending', 'sent', 'failed', 'cancelled'));

-- Who got a task message lately (Telegram takes one message a second per chat), and a
-- volunteer's messages when they are deleted.
CREATE INDEX poster_messages_volunteer_idx ON poster_messages (volunteer_id, sent_at);
CREATE INDEX search_messages_volunteer_idx ON search_messages (volunteer_id, sent_at);
