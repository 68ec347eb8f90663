"""The job queue: the web process only enqueues; a worker (SQLite queue in the instance folder by
default, Redis at scale) delivers the mailing."""

from __future__ import annotations

import pytest

from amicale import jobs


def run_queued(app) -> int:
    """What ``amicale worker`` does, one job at a time, until the queue is empty."""
    huey = jobs.queue_for(app.instance_path, app.config.get("AMICALE_REDIS_URL"))
    jobs._worker_app = app
    done = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        done += 1
    return done


@pytest.fixture(params=["sqlite", "redis"])
def queued_app(request, app):
    app.config["AMICALE_JOBS"] = "queue"
    if request.param == "redis":
        import redis

        try:
            redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=2).ping()
        except redis.exceptions.ConnectionError as exc:
            pytest.fail(f"Redis must run on 127.0.0.1:6379 for this test: {exc}")
        app.config["AMICALE_REDIS_URL"] = "redis://127.0.0.1:6379/0"
    huey = jobs.queue_for(app.instance_path, app.config.get("AMICALE_REDIS_URL"))
    huey.flush()
    yield app
    huey.flush()
    jobs._worker_app = None


def test_the_mailing_waits_in_the_queue_until_a_worker_delivers_it(
    queued_app, organisation, factories, api_client, smtp_server
):
    from amicale.db import session
    from amicale.groups.services import add_contacts, create_group

    people = [factories.contact() for _ in range(3)]
    with queued_app.app_context():
        s = session()
        group = create_group(s, {"title": "Voisins", "is_mailing_list": True})
        add_contacts(s, group.id, [p.id for p in people])
        s.commit()
        group_id = group.id
    api = api_client("staff")
    mailing = api.post(
        "/api/v1/mailings",
        json={"name": "m", "subject": "s", "body_text": "b", "include_group_ids": [group_id]},
    ).get_json()
    assert api.post(f"/api/v1/mailings/{mailing['id']}/send", json={}).status_code == 200
    assert smtp_server.messages == []  # nothing sent by the web request itself
    figures = api.get(f"/api/v1/mailings/{mailing['id']}/figures").get_json()
    assert figures["queued"] == 3
    assert run_queued(queued_app) == 1
    assert len(smtp_server.messages) == 3
    assert api.get(f"/api/v1/mailings/{mailing['id']}").get_json()["status"] == "sent"


def test_the_embedded_worker_of_amicale_serve_delivers_in_the_background(
    app, organisation, factories, api_client, smtp_server
):
    import threading
    import time

    from amicale.db import session
    from amicale.groups.services import add_contacts, create_group

    app.config["AMICALE_JOBS"] = "queue"
    huey = jobs.queue_for(app.instance_path, None)
    huey.flush()
    person = factories.contact()
    with app.app_context():
        s = session()
        group = create_group(s, {"title": "Quartier", "is_mailing_list": True})
        add_contacts(s, group.id, [person.id])
        s.commit()
        group_id = group.id
    api = api_client("staff")
    mailing = api.post(
        "/api/v1/mailings",
        json={"name": "m", "subject": "s", "body_text": "b", "include_group_ids": [group_id]},
    ).get_json()
    stop = threading.Event()
    thread = threading.Thread(target=jobs.run_embedded, args=(app, stop), kwargs={"idle": 0.05})
    thread.start()
    try:
        api.post(f"/api/v1/mailings/{mailing['id']}/send", json={})
        deadline = time.monotonic() + 30  # generous: only a guard against hanging for ever
        while not smtp_server.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
        jobs._worker_app = None
    assert len(smtp_server.messages) == 1
    assert api.get(f"/api/v1/mailings/{mailing['id']}").get_json()["status"] == "sent"
