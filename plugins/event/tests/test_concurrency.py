"""Registration holds under concurrency: more people than places register at the same moment
through the public page of a real server (many threads, each its own visitor), and the event is
never overbooked; everyone beyond the capacity is on the waitlist. Runs on SQLite, and on
PostgreSQL with AMICALE_TEST_DATABASE_URL."""

import json
import re
import threading
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from sqlalchemy import func, select
from werkzeug.serving import make_server

from amicale.api_for_plugins import session
from amicale_event.models import Event, Participant

CAPACITY = 7
VISITORS = 24


def _visit(base: str, event_id: int, n: int, barrier: threading.Barrier, out: list) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    url = f"{base}/event/public/{event_id}"
    page = opener.open(url, timeout=60).read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {
            "csrf_token": csrf,
            "first_name": "Visitor",
            "last_name": f"Number {n}",
            "email": f"visitor{n}@example.org",
            "field_diet": "vegetarian" if n % 2 else "omnivore",
        }
    ).encode()
    barrier.wait(timeout=60)  # everyone submits at once
    try:
        with opener.open(url, data=data, timeout=120) as response:
            out.append(response.status)
    except urllib.error.HTTPError as exc:
        out.append(exc.code)


def test_more_visitors_than_places_never_overbook_the_event(app, factories):
    event = factories.event.event(
        title="Repair café",
        max_participants=CAPACITY,
        participant_fields=[
            {"name": "diet", "label": "Diet", "options": ["vegetarian", "omnivore"]}
        ],
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.server_port}"
    statuses: list[int] = []
    barrier = threading.Barrier(VISITORS)
    try:
        threads = [
            threading.Thread(target=_visit, args=(base, event.id, n, barrier, statuses))
            for n in range(VISITORS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    finally:
        server.shutdown()
    assert statuses == [200] * VISITORS
    with app.app_context():
        s = session()
        counts = dict(
            s.execute(
                select(Participant.status, func.count())
                .where(Participant.event_id == event.id)
                .group_by(Participant.status)
            ).all()
        )
        taken = s.scalar(select(Event.taken).where(Event.id == event.id))
    print(f"\n{VISITORS} visitors, {CAPACITY} places: {counts}, taken={taken}")
    assert counts == {"Registered": CAPACITY, "On waitlist": VISITORS - CAPACITY}
    assert taken == CAPACITY


def _api_register(base, token, event_id, contact_id, barrier, out):
    body = json.dumps({"event_id": event_id, "contact_id": contact_id}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/participants",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    barrier.wait(timeout=60)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            out.append(json.loads(response.read())["items"][0]["status"])
    except urllib.error.HTTPError as exc:
        out.append(exc.code)


def test_staff_registering_at_once_through_the_api_never_overbook(app, factories, api_client):
    event = factories.event.event(max_participants=5)
    people = [factories.contact().id for _ in range(16)]
    token = api_client("staff").token
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    answers: list = []
    barrier = threading.Barrier(len(people))
    try:
        threads = [
            threading.Thread(
                target=_api_register, args=(base, token, event.id, c, barrier, answers)
            )
            for c in people
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    finally:
        server.shutdown()
    assert sorted(answers) == ["On waitlist"] * 11 + ["Registered"] * 5
    with app.app_context():
        assert session().scalar(select(Event.taken).where(Event.id == event.id)) == 5


def test_staff_registering_at_once_in_threads_never_overbook(app, factories):
    """Each thread its own app context and session, through the same transaction helper the
    staff pages and the API use."""
    from amicale_event import services, signup

    event = factories.event.event(max_participants=4)
    people = [factories.contact().id for _ in range(12)]
    answers: list = []
    barrier = threading.Barrier(len(people))

    def register(contact_id):
        with app.test_request_context(headers={"Accept-Language": "en"}):
            s = session()
            barrier.wait(timeout=60)
            result = signup.registering(
                s, event.id, lambda: services.register(s, event.id, {"contact_id": contact_id})
            )
            answers.append(result.main.status)

    threads = [threading.Thread(target=register, args=(c,)) for c in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert sorted(answers) == ["On waitlist"] * 8 + ["Registered"] * 4
    with app.app_context():
        assert session().scalar(select(Event.taken).where(Event.id == event.id)) == 4
