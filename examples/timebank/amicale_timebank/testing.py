"""Factories for tests: the SDK's ``factories`` fixture offers them as ``factories.timebank``
(entry point ``amicale.factories``), to this extension's tests and to any other's."""

from __future__ import annotations

import itertools
from datetime import date

from amicale.api_for_plugins import session

from . import services

_numbers = itertools.count(1)


class Factories:
    def __init__(self, app, factories):
        self.app, self.factories = app, factories

    def _save(self, create, data: dict):
        with self.app.app_context():
            s = session()
            obj = create(s, data)
            s.commit()
            s.refresh(obj)
            s.expunge(obj)
        return obj

    def category(self, **values):
        """A category of skills (active, with a unique name unless given)."""
        values.setdefault("name", f"Skill {next(_numbers)}")
        return self._save(services.create_category, values)

    def listing(self, contact_id: int | None = None, category_id: int | None = None, **values):
        """An offer (``kind="request"`` for a request) of a new contact in a new category
        unless given."""
        if contact_id is None:
            contact_id = self.factories.contact().id
        if category_id is None:
            category_id = self.category().id
        values.setdefault("kind", "offer")
        return self._save(
            services.create_listing,
            {"contact_id": contact_id, "category_id": category_id, **values},
        )

    def exchange(
        self,
        provider_id: int | None = None,
        receiver_id: int | None = None,
        category_id: int | None = None,
        **values,
    ):
        """``hours`` (1 by default) given by ``provider_id`` to ``receiver_id`` (new contacts
        and a new category unless given), on ``exchange_date`` (1 March 2024 by default)."""
        if provider_id is None:
            provider_id = self.factories.contact().id
        if receiver_id is None:
            receiver_id = self.factories.contact().id
        if category_id is None:
            category_id = self.category().id
        values.setdefault("hours", "1")
        values.setdefault("exchange_date", date(2024, 3, 1).isoformat())
        return self._save(
            services.create_exchange,
            {
                "provider_id": provider_id,
                "receiver_id": receiver_id,
                "category_id": category_id,
                **values,
            },
        )
