-- Closing always wins (issue 16): a close is one short transaction whatever the fan-out's size.
-- The close changes the case's state; the dispatchers' sweep then ends the case's open rows
-- (`end_closed_outbox`), found through this index, a chunk at a time.
CREATE INDEX publications_open_idx ON publications (case_id)
    WHERE state IN ('pending', 'failed', 'sent');

-- What we host of a case (page, photo, posters, images, feed, press room) is withdrawn inside the
-- close's transaction: found through this index, without reading the case's volunteers' rows.
CREATE INDEX publications_hosted_idx ON publications (case_id, state)
    WHERE channel IN ('case_page', 'poster', 'image', 'feed')
       OR (channel = 'press' AND target = 'press-room');
