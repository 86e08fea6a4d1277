"""The outbox: fan-out planning, the dispatcher, rate limits, withdrawal, its report, retention,
the scheduler.
"""
