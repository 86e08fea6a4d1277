-- The console lists, for each regional channel and partner webhook, the posts it received and
-- its last delivery and error: found by target in the registry. Only these two channels are
-- indexed; the rows of the volunteers (one each) stay out of the index.
CREATE INDEX publications_partner_target_idx ON publications (channel, target, id)
    WHERE channel IN ('telegram_channel', 'webhook');
