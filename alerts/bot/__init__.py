"""The Telegram bot: python-telegram-bot inside the service, the volunteers' conversation,
sightings by Telegram.
"""
