"""Small helpers of REST resources for components and extensions (``api_for_plugins.apikit``):
the JSON body of a request (refused as a 422 when it is not an object), the OpenAPI description
of a body validated by the services rather than by flask-smorest, and a page of results."""

from __future__ import annotations

from flask import request
from flask_babel import gettext

from ..errors import ValidationError


def json_body(optional: bool = False) -> dict:
    """The request's JSON object; ``optional``: no body is an empty one."""
    data = request.get_json(silent=True)
    if data is None and optional:
        return {}
    if not isinstance(data, dict):
        raise ValidationError(gettext("The body must be a JSON object."), field="json")
    return data


def body_doc(schema) -> dict:
    """``@blp.doc(**body_doc(Schema))``: the body a route reads with ``json_body`` (the service
    validates it with the same schema, so that the form and the API answer the same errors)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def page_of(items, total: int, args: dict) -> dict:
    """A page of results as ``page_schema`` describes it."""
    return {"items": items, "total": total, "page": args["page"], "page_size": args["page_size"]}
