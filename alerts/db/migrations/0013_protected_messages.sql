-- Whether a Telegram message went out protected from forwarding (protect_content): a revision
-- whose consent no longer allows forwarding replaces, instead of editing, every message sent
-- without it (the Bot API's edits cannot protect a message). NULL: not a Telegram message, or
-- sent before this column existed (then treated as not protected).
ALTER TABLE publications ADD COLUMN protected boolean;
