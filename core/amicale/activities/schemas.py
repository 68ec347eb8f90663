"""What a valid activity type and activity are, for the API and the forms alike."""

from __future__ import annotations

from datetime import UTC

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from ..api.pagination import LongPageArgs, PageArgs, page_schema
from .models import PRIORITIES, STATUSES, ActivityType

NAME_RULE = validate.Regexp(
    r"^[a-z][a-z0-9_]{0,63}$", error=_l("Use lower-case letters, digits and underscores.")
)
MAX_DURATION = 60 * 24 * 31  # minutes


class ActivityTypeSchema(SQLAlchemyAutoSchema):
    """An activity type as shown, and as given to create one."""

    class Meta:
        model = ActivityType
        unknown = EXCLUDE
        dump_only = ("id", "component", "is_reserved")

    name = fields.String(required=True, validate=NAME_RULE)
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    is_active = fields.Boolean(load_default=True)


class ActivityTypePatchSchema(Schema):
    class Meta:
        unknown = RAISE

    label = fields.String(validate=validate.Length(min=1, max=120))
    is_active = fields.Boolean()


class ActivityTypeListArgs(LongPageArgs):
    class Meta:
        unknown = EXCLUDE

    is_active = fields.Boolean(load_default=None)


ActivityTypePageSchema = page_schema("ActivityTypePageSchema", ActivityTypeSchema)


def _activity_fields(required: bool) -> dict:
    """The fields of an activity; for a patch, none has a default."""

    def default(value):
        return {"load_default": value} if required else {}

    return {
        "activity_type_id": fields.Integer(**default(None), allow_none=True),
        "activity_type": fields.String(
            **default(None),
            allow_none=True,
            metadata={"description": "type name, instead of its id"},
        ),
        "subject": fields.String(
            **default(None), allow_none=True, validate=validate.Length(max=255)
        ),
        "details": fields.String(
            **default(None), allow_none=True, validate=validate.Length(max=100_000)
        ),
        "activity_date": fields.AwareDateTime(
            **default(None),
            allow_none=required,
            default_timezone=UTC,
            metadata={"description": "ISO 8601; without a timezone, UTC; default now"},
        ),
        "duration": fields.Integer(
            **default(None),
            allow_none=True,
            validate=validate.Range(min=0, max=MAX_DURATION),
            metadata={"description": "minutes"},
        ),
        "location": fields.String(
            **default(None), allow_none=True, validate=validate.Length(max=255)
        ),
        "status": fields.String(**default("Scheduled"), validate=validate.OneOf(STATUSES)),
        "priority": fields.String(**default("Normal"), validate=validate.OneOf(PRIORITIES)),
        "source_contact_id": fields.Integer(**default(None), allow_none=True),
        "target_contact_ids": fields.List(fields.Integer(), **default(list)),
        "assignee_contact_ids": fields.List(fields.Integer(), **default(list)),
    }


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE


class _Strict(Schema):
    class Meta:
        unknown = RAISE


# A new activity (type by id or name; the source, targets and assignees by contact id).
ActivityCreateSchema = _Lenient.from_dict(_activity_fields(True), name="ActivityCreate")
# A change: only the fields given; lists given replace the participants of that role.
ActivityPatchSchema = _Strict.from_dict(_activity_fields(False), name="ActivityPatch")


class ActivitySchema(Schema):
    """An activity as shown, with its participants' ids."""

    id = fields.Integer(dump_only=True)
    activity_type_id = fields.Integer(dump_only=True)
    activity_type = fields.String(dump_only=True)
    activity_type_label = fields.String(dump_only=True)
    subject = fields.String(dump_only=True, allow_none=True)
    details = fields.String(dump_only=True, allow_none=True)
    activity_date = fields.DateTime(dump_only=True)
    duration = fields.Integer(dump_only=True, allow_none=True)
    location = fields.String(dump_only=True, allow_none=True)
    status = fields.String(dump_only=True)
    priority = fields.String(dump_only=True)
    source_contact_id = fields.Integer(dump_only=True, allow_none=True)
    target_contact_ids = fields.List(fields.Integer(), dump_only=True)
    assignee_contact_ids = fields.List(fields.Integer(), dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    modified_at = fields.DateTime(dump_only=True)


class ActivityListArgs(PageArgs):
    class Meta:
        unknown = EXCLUDE

    contact_id = fields.Integer(
        load_default=None,
        metadata={"description": "activities of this contact as source, target or assignee"},
    )
    activity_type = fields.String(load_default=None, metadata={"description": "type name"})
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    date_from = fields.Date(load_default=None, metadata={"description": "from this day"})
    date_to = fields.Date(load_default=None, metadata={"description": "to this day, included"})


ActivityPageSchema = page_schema("ActivityPageSchema", ActivitySchema)
