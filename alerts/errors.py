"""The service's exceptions: one base class; each subclass's docstring is its default message."""

from __future__ import annotations


class AlertsError(Exception):
    """Something went wrong."""

    status = 400

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or (self.__doc__ or "").strip()
        self.field = field
        super().__init__(self.message)


class InvalidInput(AlertsError):
    """The request is not valid."""

    status = 422


class NotFound(AlertsError):
    """Not found."""

    status = 404


class Gone(AlertsError):
    """This alert has been withdrawn."""

    status = 410


class Forbidden(AlertsError):
    """You are not allowed to do this."""

    status = 403


class Unauthenticated(AlertsError):
    """Please log in."""

    status = 401


class ReauthRequired(AlertsError):
    """Please confirm your password (or TOTP code) to do this."""

    status = 403


class Conflict(AlertsError):
    """The case is not in a state that allows this."""

    status = 409


class IllegalTransition(Conflict):
    """This change of state is not allowed."""


class NotPublishable(AlertsError):
    """The consent does not allow publication on this channel."""

    status = 409


class TooManyRequests(AlertsError):
    """Too many attempts; please wait and try again."""

    status = 429

    def __init__(self, message: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Busy(AlertsError):
    """The database is busy right now and nothing was changed. Please try again in a few seconds."""

    status = 503

    def __init__(self, message: str | None = None, *, retry_after: int = 2) -> None:
        super().__init__(message)
        self.retry_after = retry_after
