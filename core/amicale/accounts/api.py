"""API: who am I (``GET /api/v1/users/me``)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..db import session
from .permissions import login_only, user_permissions
from .schemas import MeSchema
from .services import user_role_names_in

blp = Blueprint("users", __name__, url_prefix="/users", description="Users")


@blp.route("/me")
class Me(MethodView):
    @login_only
    @blp.response(200, MeSchema)
    def get(self):
        """The user of the token, with roles and permissions."""
        perms = user_permissions(current_user)
        return {
            "id": current_user.id,
            "email": current_user.email,
            "contact_id": current_user.contact_id,
            "locale": current_user.locale,
            "roles": sorted(user_role_names_in(session(), current_user.id)),
            "permissions": None if perms is None else sorted(perms),
        }
