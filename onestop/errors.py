"""The domain's one exception family; the server turns each kind into an HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises. ``message`` is Vietnamese, shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidValue(DomainError):
    """A field's value breaks a rule (HTTP 422). ``field`` names it, dotted."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist (HTTP 404)."""


class IllegalTransition(DomainError):
    """The change is not allowed in the current state (HTTP 409); the message says why."""


class Forbidden(DomainError):
    """The caller is known but may not do this (HTTP 403), e.g. another officer's counter."""
