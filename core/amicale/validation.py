"""Input validated with a marshmallow schema, its errors turned into a ``ValidationError`` whose
``errors`` name each field (``{"emails.0.email": ["..."]}``): the forms show them beside their
fields and the API answers them as a 422."""

from __future__ import annotations

from flask_babel import gettext
from marshmallow import ValidationError as SchemaError

from .errors import ValidationError


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as flat field paths."""
    if not isinstance(messages, dict):
        return {prefix.rstrip(".") or "": [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_errors(value, path + "."))
        else:
            flat[path] = [str(v) for v in value]
    return flat


def load_input(schema, data, *, partial: bool = False) -> dict:
    """Validate ``data`` with ``schema`` (an instance); the loaded values, or ValidationError
    with every field's message."""
    try:
        return schema.load(data, partial=partial)
    except SchemaError as exc:
        raise ValidationError(
            gettext("Some fields are not valid."), errors=flatten_errors(exc.messages)
        ) from exc
