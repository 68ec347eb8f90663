"""API: list components, enable or disable one (``PATCH /api/v1/components/{name}``)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from ..accounts.permissions import permission_required
from ..db import session
from . import services
from .schemas import ComponentPatchSchema, ComponentSchema

blp = Blueprint(
    "components",
    __name__,
    url_prefix="/components",
    description="Installed components and whether they are enabled",
)


def _state():
    return current_app.extensions["amicale"]


@blp.route("")
class Components(MethodView):
    @permission_required("administer_components")
    @blp.response(200, ComponentSchema(many=True))
    def get(self):
        """Every installed component, enabled or not."""
        return services.list_components(session(), _state().registry)


@blp.route("/<name>")
class ComponentResource(MethodView):
    @permission_required("administer_components")
    @blp.response(200, ComponentSchema)
    def get(self, name: str):
        """One component."""
        return services.get_component_info(session(), _state().registry, name)

    @permission_required("administer_components")
    @blp.arguments(ComponentPatchSchema)
    @blp.response(200, ComponentSchema)
    def patch(self, data: dict, name: str):
        """Enable or disable a component: ``{"enabled": true}``.

        Enabling runs its migrations and ``on_enable``; it is refused (422) when a required
        component is not enabled. Disabling keeps its data.
        """
        state = _state()
        session().close()  # the change runs on its own connection and transaction
        if data["enabled"]:
            return services.enable_component(state.db, state.registry, name)
        return services.disable_component(state.db, state.registry, name)
