"""A local Telegram Bot API that behaves like Telegram: limits, 429 and 403 answers, deletes and
edits.
"""
