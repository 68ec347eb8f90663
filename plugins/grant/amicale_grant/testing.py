"""Factories for tests: the SDK's ``factories`` fixture offers them as ``factories.grant``
(entry point ``amicale.factories``), to this component's tests and to any other's."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from amicale.api_for_plugins import session

from . import services
from .models import GrantType

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

    def type(self, **values):
        """A grant type (a new name unless given)."""
        values.setdefault("name", f"Grant type {next(_numbers)}")
        return self._save(services.create_type, values)

    def programme(self, **values):
        values.setdefault("name", f"Programme {next(_numbers)}")
        return self._save(services.create_programme, values)

    def grant(self, contact_id: int | None = None, grant_type_id: int | None = None, **values):
        """An application (Submitted) of a new contact, of the seeded "Project grant" type
        unless given, for 1000.00 unless given."""
        if contact_id is None:
            contact_id = self.factories.contact().id
        if grant_type_id is None:
            with self.app.app_context():
                grant_type_id = session().scalar(
                    select(GrantType.id).where(GrantType.name == "Project grant")
                )
        data = {
            "contact_id": contact_id,
            "grant_type_id": grant_type_id,
            "amount_total": "1000.00",
            **values,
        }
        return self._save(services.create_grant, data)

    def funding(self, funder_contact_id: int | None = None, **values):
        """An application of the organisation to a funder (a new organisation unless given)."""
        if funder_contact_id is None:
            funder_contact_id = self.factories.organization().id
        data = {
            "funder_contact_id": funder_contact_id,
            "title": f"Application {next(_numbers)}",
            "amount_requested": "5000.00",
            **values,
        }
        return self._save(services.create_funding, data)
