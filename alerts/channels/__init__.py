"""The outside channels behind one interface: Telegram, e-mail, partner webhooks."""
