"""Factories for tests: the SDK's ``factories`` fixture offers them as ``factories.membership``
(entry point ``amicale.factories``), to this component's tests and to any other's."""

from __future__ import annotations

import itertools

from amicale.api_for_plugins import session

from . import services

_numbers = itertools.count(1)


class Factories:
    def __init__(self, app, factories):
        self.app, self.factories = app, factories

    def _save(self, create, *args, **kwargs):
        with self.app.app_context():
            s = session()
            obj = create(s, *args, **kwargs)
            s.commit()
            s.refresh(obj)
            s.expunge(obj)
        return obj

    def type(self, **values):
        """A membership type: a year, rolling, no fee, unless given."""
        values.setdefault("name", f"Membership {next(_numbers)}")
        return self._save(services.create_type, values)

    def membership(
        self,
        contact_id: int | None = None,
        membership_type_id: int | None = None,
        *,
        today=None,
        **values,
    ):
        """A membership of a new contact in a new type unless given (``join_date`` and the
        other dates as ISO strings; ``today`` the day its status is computed on)."""
        if contact_id is None:
            contact_id = self.factories.contact().id
        if membership_type_id is None:
            membership_type_id = self.type().id
        data = {"contact_id": contact_id, "membership_type_id": membership_type_id, **values}
        return self._save(services.join, data, today=today)
