"""The sample extension: a model, a migration, a page, a menu item, a permission, an API resource,
and a few hooks the tests call."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, redirect, render_template, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from amicale import hookimpl
from amicale.api_for_plugins import (
    Manifest,
    MenuItem,
    Permission,
    Widget,
    permission_required,
    session,
)

from .models import SampleItem

CALLS: list[tuple] = []

bp = Blueprint("sample_ext", __name__, template_folder="templates")


@bp.route("/")
@permission_required("sample_ext.view")
def index():
    items = session().execute(select(SampleItem).order_by(SampleItem.id)).scalars().all()
    return render_template("sample_ext/index.html", items=items)


@bp.route("/add", methods=["POST"])
@permission_required("sample_ext.edit")
def add():
    s = session()
    s.add(SampleItem(name=request.form.get("name") or "unnamed"))
    s.commit()
    return redirect(url_for("sample_ext.index"))


class ItemSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


api = ApiBlueprint(
    "sample-items",
    __name__,
    url_prefix="/sample-items",
    description="Items of the sample extension",
)


@api.route("")
class Items(MethodView):
    @permission_required("sample_ext.view")
    @api.response(200, ItemSchema(many=True))
    def get(self):
        return session().execute(select(SampleItem).order_by(SampleItem.id)).scalars().all()

    @permission_required("sample_ext.edit")
    @api.arguments(ItemSchema)
    @api.response(201, ItemSchema)
    def post(self, data):
        s = session()
        item = SampleItem(**data)
        s.add(item)
        s.commit()
        return item


@hookimpl
def amicale_component():
    return Manifest(
        name="sample_ext",
        label="Sample extension",
        version="1.2.0",
        description="Proves the plugin mechanism.",
    )


@hookimpl
def register_models():
    return [SampleItem]


@hookimpl
def register_migrations():
    return ("sample_ext", Path(__file__).parent / "migrations")


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_api():
    return [api]


@hookimpl
def register_permissions():
    return [
        Permission("sample_ext.view", "See sample items", default_roles=("staff", "readonly")),
        Permission("sample_ext.edit", "Edit sample items", default_roles=("staff",)),
    ]


@hookimpl
def menu_items(user):
    return [
        MenuItem("sample_ext", "Sample items", "sample_ext.index", "main", 40, "sample_ext.view")
    ]


@hookimpl
def dashboard_widgets(user):
    count = len(session().execute(select(SampleItem.id)).all())
    return [
        Widget(
            "sample_ext",
            "Sample items",
            "sample_ext/widget.html",
            {"count": count},
            permission="sample_ext.view",
        )
    ]


@hookimpl
def template_slot(name, context, **kwargs):
    if name == "base.footer":
        return (10, "<span id='sample-ext-footer'>sample extension</span>")
    return None


@hookimpl
def on_enable(session):
    CALLS.append(("on_enable",))


@hookimpl
def on_disable(session):
    CALLS.append(("on_disable",))


@hookimpl
def on_uninstall(session):
    CALLS.append(("on_uninstall",))
