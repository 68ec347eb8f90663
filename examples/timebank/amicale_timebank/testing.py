"""Factories for tests: the SDK's ``factories`` fixture offers them as ``factories.timebank``
(entry point ``amicale.factories``), to this extension's tests and to any other's."""

from __future__ import annotations

from amicale.api_for_plugins import session

from . import services


class Factories:
    def __init__(self, app, factories):
        self.app, self.factories = app, factories

    def item(self, contact_id: int | None = None, **values):
        """An item saved in the database (for a new contact unless ``contact_id`` is given)."""
        if contact_id is None:
            contact_id = self.factories.contact().id
        with self.app.app_context():
            s = session()
            item = services.create_item(s, {"contact_id": contact_id, "title": "An item", **values})
            s.commit()
            s.refresh(item)
            s.expunge(item)
        return item
