"""Pagination of the API's lists: one query-string schema, one page shape for every resource.

A list answers ``{"items": [...], "total": n, "page": p, "page_size": s}``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

MAX_PAGE_SIZE = 500


class PageArgs(Schema):
    """``page`` and ``page_size`` (25 by default, at most 500) of a list request."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class LongPageArgs(PageArgs):
    """The same for short reference lists (types, tags, fields): 100 by default."""

    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


def page_schema(name: str, item_schema: type[Schema] | Schema) -> type[Schema]:
    """The schema of a page of ``item_schema`` (named for the OpenAPI document)."""
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "page_size": fields.Integer(),
        },
    )


def page_of(items: list, args: dict[str, Any]) -> dict[str, Any]:
    """A page of a list already in memory (short reference lists)."""
    page, size = args["page"], args["page_size"]
    return {
        "items": items[(page - 1) * size : page * size],
        "total": len(items),
        "page": page,
        "page_size": size,
    }
