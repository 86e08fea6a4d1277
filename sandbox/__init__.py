"""For the demo and the tests only: the demo, its sample data, the Telegram Bot API sandbox and the
SMTP sink.
"""
