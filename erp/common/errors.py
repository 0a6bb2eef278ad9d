"""The error every service raises when it refuses a request."""
from __future__ import annotations


class ServiceError(ValueError):
    """A refused request; ``errors`` maps a field name (or "") to messages for the user.

    Services raise it after rolling back nothing-yet-written, so a refusal changes nothing.
    """

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


def refuse(message: str, field: str = ""):
    """Raise the refusal of one field (or of the whole request when ``field`` is empty)."""
    raise ServiceError(message, {field: [message]})
