"""API: activity types (``/api/v1/activity-types``) and activities (``/api/v1/activities``)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..accounts.permissions import permission_required
from ..api.pagination import page_of
from ..db import session
from . import services
from .schemas import (
    ActivityCreateSchema,
    ActivityListArgs,
    ActivityPageSchema,
    ActivityPatchSchema,
    ActivitySchema,
    ActivityTypeListArgs,
    ActivityTypePageSchema,
    ActivityTypePatchSchema,
    ActivityTypeSchema,
)

types_blp = Blueprint(
    "activity-types",
    __name__,
    url_prefix="/activity-types",
    description="Kinds of activity: the core's and the enabled components'",
)
blp = Blueprint(
    "activities",
    __name__,
    url_prefix="/activities",
    description="Activities with their source, target and assignee contacts",
)


@types_blp.route("")
class ActivityTypes(MethodView):
    @permission_required("view_contacts")
    @types_blp.arguments(ActivityTypeListArgs, location="query")
    @types_blp.response(200, ActivityTypePageSchema)
    def get(self, args: dict):
        """Activity types, by label."""
        items = services.list_activity_types(session(), is_active=args["is_active"])
        return page_of(items, args)

    @permission_required("administer_settings")
    @types_blp.arguments(ActivityTypeSchema)
    @types_blp.response(201, ActivityTypeSchema)
    def post(self, data: dict):
        """Create an activity type."""
        s = session()
        atype = services.create_activity_type(s, data)
        s.commit()
        return atype


@types_blp.route("/<int:type_id>")
class ActivityTypeResource(MethodView):
    @permission_required("view_contacts")
    @types_blp.response(200, ActivityTypeSchema)
    def get(self, type_id: int):
        """One activity type."""
        return services.get_activity_type(session(), type_id)

    @permission_required("administer_settings")
    @types_blp.arguments(ActivityTypePatchSchema)
    @types_blp.response(200, ActivityTypeSchema)
    def patch(self, data: dict, type_id: int):
        """Change the label or ``is_active``."""
        s = session()
        atype = services.update_activity_type(s, type_id, data)
        s.commit()
        return atype


@blp.route("")
class Activities(MethodView):
    @permission_required("view_contacts")
    @blp.arguments(ActivityListArgs, location="query")
    @blp.response(200, ActivityPageSchema)
    def get(self, args: dict):
        """Activities, newest first; ``contact_id`` gives that contact's timeline (as source,
        target or assignee); ``date_from``/``date_to`` are days, both included."""
        entries, total = services.list_activities(
            session(),
            contact_id=args["contact_id"],
            activity_type=args["activity_type"],
            status=args["status"],
            date_from=args["date_from"],
            date_to=args["date_to"],
            page=args["page"],
            page_size=args["page_size"],
        )
        return {
            "items": services.represent(entries),
            "total": total,
            "page": args["page"],
            "page_size": args["page_size"],
        }

    @permission_required("edit_contacts")
    @blp.arguments(ActivityCreateSchema)
    @blp.response(201, ActivitySchema)
    def post(self, data: dict):
        """Record an activity with ``target_contact_ids`` and ``assignee_contact_ids``; it
        needs at least one target or a ``source_contact_id``."""
        s = session()
        activity = services.create_activity(s, data, user_id=current_user.id)
        s.commit()
        return services.represent([services.entry(s, activity.id)])[0]


@blp.route("/<int:activity_id>")
class ActivityResource(MethodView):
    @permission_required("view_contacts")
    @blp.response(200, ActivitySchema)
    def get(self, activity_id: int):
        """One activity."""
        return services.represent([services.entry(session(), activity_id)])[0]

    @permission_required("edit_contacts")
    @blp.arguments(ActivityPatchSchema)
    @blp.response(200, ActivitySchema)
    def patch(self, data: dict, activity_id: int):
        """Change the fields given; lists of contacts given replace that role's contacts."""
        s = session()
        services.update_activity(s, activity_id, data, user_id=current_user.id)
        s.commit()
        return services.represent([services.entry(s, activity_id)])[0]

    @permission_required("edit_contacts")
    @blp.response(204)
    def delete(self, activity_id: int):
        """Delete an activity."""
        s = session()
        services.delete_activity(s, activity_id, user_id=current_user.id)
        s.commit()
