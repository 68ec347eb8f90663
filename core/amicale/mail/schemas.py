"""What a valid message template and a valid email are, for the forms and the API alike."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from .models import MessageTemplate


def _strip(data: dict, keys: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for key in keys:
        if isinstance(out.get(key), str):
            out[key] = out[key].strip()
    for key in optional:
        if out.get(key) == "":
            out[key] = None
    return out


class MessageTemplateSchema(SQLAlchemyAutoSchema):
    class Meta:
        model = MessageTemplate
        unknown = EXCLUDE

    id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    modified_at = fields.DateTime(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=255))
    body_text = fields.String(required=True, validate=validate.Length(min=1, max=100_000))
    body_html = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=500_000)
    )
    is_active = fields.Boolean(load_default=True)

    @pre_load
    def _clean(self, data, **_kw):
        return _strip(data, ("name", "subject"), ("body_html",))


class MessageTemplatePatchSchema(MessageTemplateSchema):
    """The same fields, each optional (PATCH)."""


class EmailSendSchema(Schema):
    """An email to one or more contacts: a template, or a subject and a body written now."""

    class Meta:
        unknown = EXCLUDE

    contact_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1)),
        required=True,
        validate=validate.Length(min=1),
    )
    template_id = fields.Integer(load_default=None, allow_none=True)
    subject = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    body_text = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=100_000)
    )
    body_html = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=500_000)
    )

    @pre_load
    def _clean(self, data, **_kw):
        return _strip(data, ("subject",), ("subject", "body_text", "body_html"))


class EmailOutcomeSchema(Schema):
    contact_id = fields.Integer()
    display_name = fields.String()
    reason = fields.String()


class EmailReportSchema(Schema):
    sent = fields.List(fields.Integer())
    skipped = fields.List(fields.Nested(EmailOutcomeSchema))
    failed = fields.List(fields.Nested(EmailOutcomeSchema))
    activity_id = fields.Integer(allow_none=True)
    transport = fields.String(metadata={"description": "smtp, or outbox when none is configured"})


class MailingSchema(Schema):
    """A mailing as the API shows it and as a draft is written."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    subject = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    body_text = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=100_000)
    )
    body_html = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=500_000)
    )
    template_id = fields.Integer(load_default=None, allow_none=True)
    include_group_ids = fields.List(fields.Integer(), load_default=list)
    exclude_group_ids = fields.List(fields.Integer(), load_default=list)
    status = fields.String(dump_only=True)
    scheduled_at = fields.DateTime(dump_only=True, allow_none=True)
    started_at = fields.DateTime(dump_only=True, allow_none=True)
    finished_at = fields.DateTime(dump_only=True, allow_none=True)
    recipients_total = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)

    @pre_load
    def _clean(self, data, **_kw):
        return _strip(data, ("name", "subject"), ("subject", "body_text", "body_html"))


class MailingPatchSchema(MailingSchema):
    """The same fields, each optional (PATCH)."""


class MailingSendSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    scheduled_at = fields.AwareDateTime(
        load_default=None, allow_none=True, metadata={"description": "Later; now when absent"}
    )


class MailingFiguresSchema(Schema):
    total = fields.Integer()
    queued = fields.Integer()
    sent = fields.Integer()
    failed = fields.Integer()
    bounced = fields.Integer()
    unsubscribed = fields.Integer()
    recipients_now = fields.Integer(
        metadata={"description": "How many it would reach if sent now (drafts)"}
    )
