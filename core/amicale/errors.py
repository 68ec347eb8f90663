"""Domain errors raised by services; web, API and CLI turn them into a message for the user."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors a service raises on purpose. ``message`` is already translated."""

    http_status = 400

    def __init__(self, message: str, *, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        # {field: [messages]}; a single-field error fills it from ``field``.
        self.errors = errors or ({field: [message]} if field else {})


class ValidationError(DomainError):
    http_status = 422


class NotFound(DomainError):
    http_status = 404


class PermissionDenied(DomainError):
    http_status = 403


class Conflict(DomainError):
    http_status = 409


class ConfigurationError(Exception):
    """The instance cannot start as configured (bad database URL, unreadable folder...)."""
