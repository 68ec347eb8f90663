"""Factories for tests: the SDK's ``factories`` fixture offers them as ``factories.event``
(entry point ``amicale.factories``), to this component's tests and to any other's."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

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

    def type(self, **values):
        values.setdefault("name", f"Event type {next(_numbers)}")
        return self._save(services.create_type, values)

    def event(self, **values):
        """An event in ten days, public with online registration open, unless given."""
        start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=10)
        values.setdefault("title", f"Event {next(_numbers)}")
        values.setdefault("start_date", start.isoformat(timespec="minutes"))
        values.setdefault("is_public", True)
        values.setdefault("is_online_registration", True)
        return self._save(services.create_event, values)

    def participant(self, event_id: int | None = None, contact_id: int | None = None, **values):
        """A registration of a new contact to a new event unless given."""
        if event_id is None:
            event_id = self.event().id
        if contact_id is None:
            contact_id = self.factories.contact().id

        def register(s):
            return services.register(s, event_id, {"contact_id": contact_id, **values}).main

        return self._save(register)
