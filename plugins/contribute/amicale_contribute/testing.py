"""Factories for tests: the SDK's ``factories`` fixture offers them as ``factories.contribute``
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
        with self.app.test_request_context(headers={"Accept-Language": "en"}):
            s = session()
            obj = create(s, *args, **kwargs)
            s.commit()
            s.refresh(obj)
            s.expunge(obj)
        return obj

    def contribution(self, contact_id: int | None = None, **values):
        """A completed donation of 50.00 by a new contact unless given (dates as ISO strings,
        the financial type by name: ``financial_type="Member Dues"``)."""
        if contact_id is None:
            contact_id = self.factories.contact().id
        values.setdefault("amount", "50.00")
        if "financial_type_id" not in values:
            values.setdefault("financial_type", "Donation")
        return self._save(services.create_contribution, {"contact_id": contact_id, **values})

    def campaign(self, **values):
        values.setdefault("name", f"Campaign {next(_numbers)}")
        return self._save(services.create_campaign, values)

    def financial_type(self, **values):
        values.setdefault("name", f"Financial type {next(_numbers)}")
        return self._save(services.create_financial_type, values)

    def pledge(self, contact_id: int | None = None, **values):
        if contact_id is None:
            contact_id = self.factories.contact().id
        values.setdefault("amount", "120.00")
        values.setdefault("financial_type", "Donation")
        return self._save(services.create_pledge, {"contact_id": contact_id, **values})

    def recurring(self, contact_id: int | None = None, **values):
        if contact_id is None:
            contact_id = self.factories.contact().id
        values.setdefault("amount", "10.00")
        values.setdefault("financial_type", "Donation")
        return self._save(services.create_recurring, {"contact_id": contact_id, **values})
