"""The REST API: flask-smorest under /api/v1, one OpenAPI document, one error format.

Every error answers ``{"code": 422, "status": "Unprocessable Entity", "message": "...",
"errors": {"field": ["message"]}}`` (``errors`` only when there are field errors).
"""

from __future__ import annotations

import copy

from flask import Flask, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ..components.state import enabled_components

API_PREFIX = "/api/v1"
API_NAME_PREFIX = "api_"


def error_body(code: int, message: str | None, errors: dict | None = None) -> dict:
    body = {
        "code": code,
        "status": HTTP_STATUS_CODES.get(code, "Error"),
        "message": message or HTTP_STATUS_CODES.get(code, "Error"),
    }
    if errors:
        body["errors"] = errors
    return body


class AmicaleApi(Api):
    """One per app. The resources' pages of the OpenAPI document are written the first time the
    document is asked for, not when the app is made: documenting some forty blueprints is half
    the time of making an app, which most apps (a command, a worker, a test) never need."""

    def __init__(self, *args, **kwargs):
        self._undocumented: list[tuple] = []
        super().__init__(*args, **kwargs)

    def register_blueprint(self, blp, *, parameters=None, **options):
        blp_name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][blp_name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, blp_name, parameters))

    def document(self) -> None:
        """Write the pages of the resources registered since the last call."""
        while self._undocumented:
            blp, blp_name, parameters = self._undocumented.pop(0)
            blp.register_views_in_doc(
                self, self._app, self.spec, name=blp_name, parameters=parameters
            )
            self.spec.tag({"name": blp_name, "description": blp.description})

    def handle_http_exception(self, error: HTTPException):
        if not request.path.startswith("/api/"):
            return error  # web pages render their own error pages
        code = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = None
        if "messages" in data:  # webargs/marshmallow validation: {"json": {"field": [...]}}
            messages = data["messages"]
            errors = {}
            for location_errors in messages.values():
                if isinstance(location_errors, dict):
                    errors.update(location_errors)
        message = data.get("message") or (error.description if code != 422 else None)
        if code == 422 and not message:
            message = "The request has invalid fields."
        response = jsonify(error_body(code, message, errors))
        response.status_code = code
        if code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="amicale"'
        return response


def init_app(app: Flask) -> None:
    app.config.update(
        API_TITLE="Amicale",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": "The REST API of Amicale. Authenticate with "
                "`Authorization: Bearer <token>` (tokens from `amicale user token EMAIL`)."
            },
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    api = AmicaleApi()
    api.init_app(app)
    app.extensions["amicale_api"] = api
    state = app.extensions["amicale"]
    registry = state.registry

    def mount(bp, owner: str | None):
        # Registered as "api_<name>" so that a web blueprint may share the resource's name;
        # the OpenAPI document shows the plain name as the tag.
        prefix = API_PREFIX + (bp.url_prefix or f"/{bp.name}")
        name = API_NAME_PREFIX + bp.name
        api.register_blueprint(bp, url_prefix=prefix, name=name)
        state.api_blueprints.add(name)
        if owner:
            state.blueprint_owner[name] = owner

    for bps in registry.core_relay().register_api():
        for bp in bps:
            mount(bp, None)
    for name, comp in registry.usable().items():
        for bp in comp.api_blueprints:
            mount(bp, name)

    spec_view = app.view_functions["api-docs.openapi_json"]

    def openapi_json():
        """The OpenAPI document, without the endpoints of disabled components."""
        api.document()
        response = spec_view()
        spec = copy.deepcopy(response.get_json() if hasattr(response, "get_json") else response)
        hidden = {
            bp for bp, owner in state.blueprint_owner.items() if owner not in enabled_components()
        }
        for ops in spec.get("paths", {}).values():
            for op in ops.values():
                if isinstance(op, dict) and "tags" in op:
                    op["tags"] = [t.removeprefix(API_NAME_PREFIX) for t in op["tags"]]
        for tag in spec.get("tags", []):
            tag["name"] = tag["name"].removeprefix(API_NAME_PREFIX)
        hidden = {h.removeprefix(API_NAME_PREFIX) for h in hidden}
        if hidden:
            spec["paths"] = {
                path: ops
                for path, ops in spec.get("paths", {}).items()
                if not any(
                    set(op.get("tags", [])) & hidden for op in ops.values() if isinstance(op, dict)
                )
            }
            spec["tags"] = [t for t in spec.get("tags", []) if t["name"] not in hidden]
        return jsonify(spec)

    openapi_json._amicale_public = True
    app.view_functions["api-docs.openapi_json"] = openapi_json
    for endpoint in list(app.view_functions):
        if endpoint.startswith("api-docs."):
            app.view_functions[endpoint]._amicale_public = True
