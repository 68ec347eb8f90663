"""The signed self-service link of a registration (``{event.cancel_url}``): whoever holds it may
cancel that registration, without logging in."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from amicale.api_for_plugins import NotFound, gettext

CANCEL_SALT = "amicale-event-cancel"
CANCEL_MAX_AGE = 400 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CANCEL_SALT)


def base_url() -> str:
    return current_app.config.get("AMICALE_BASE_URL", "").rstrip("/")


def cancel_token(participant_id: int) -> str:
    return _serializer().dumps({"p": participant_id})


def cancel_url(participant_id: int) -> str:
    """The absolute address of the page where this registration is cancelled."""
    return f"{base_url()}/event/public/cancel/{cancel_token(participant_id)}"


def read_cancel_token(token: str) -> int:
    """The participant the token names; NotFound for a token that is not ours or too old."""
    try:
        data = _serializer().loads(token, max_age=CANCEL_MAX_AGE)
    except BadSignature as exc:
        raise NotFound(gettext("This link is not valid.")) from exc
    return int(data["p"])
