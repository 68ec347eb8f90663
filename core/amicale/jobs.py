"""Background jobs: long work (delivering a mailing) runs outside the web request.

Embedded default: a queue in the instance folder (huey's ``SqliteHuey``, ``jobs.sqlite3``). At
scale: Redis (``AMICALE_REDIS_URL=redis://127.0.0.1:6379/0``, huey's ``RedisHuey``). ``amicale
worker`` runs the consumer; web workers only enqueue. ``AMICALE_JOBS=immediate`` runs each job
right away in the process that asks (tests, or a one-machine install without a worker).

A job is a function registered with ``@job("name")`` taking keyword arguments that JSON can
carry; it runs inside an app context and commits its own work.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app

log = logging.getLogger(__name__)

JOBS: dict[str, Callable[..., None]] = {}


def job(name: str):
    def register(fn):
        JOBS[name] = fn
        return fn

    return register


def _huey_for(instance_path: str | Path, redis_url: str | None):
    from huey import RedisHuey, SqliteHuey

    # One queue per instance, so that several instances can share one Redis.
    name = "amicale-" + hashlib.sha1(str(Path(instance_path).resolve()).encode()).hexdigest()[:10]
    if redis_url:
        return RedisHuey(name, url=redis_url)
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(folder / "jobs.sqlite3"))


_queues: dict[tuple, object] = {}


def queue_for(instance_path, redis_url):
    key = (str(instance_path), redis_url)
    if key not in _queues:
        huey = _huey_for(instance_path, redis_url)

        @huey.task(name="amicale.run_job")
        def run_job(name: str, kwargs: dict):
            _run_in_worker(name, kwargs)

        huey.amicale_run_job = run_job
        _queues[key] = huey
    return _queues[key]


def enqueue(name: str, *, delay: float | None = None, **kwargs) -> None:
    """Run job ``name`` in the background (or now, with AMICALE_JOBS=immediate)."""
    if name not in JOBS:
        raise KeyError(f"no job named {name}")
    app = current_app
    if app.config.get("AMICALE_JOBS") == "immediate":
        JOBS[name](**kwargs)
        return
    huey = queue_for(app.instance_path, app.config.get("AMICALE_REDIS_URL"))
    if delay:
        huey.amicale_run_job.schedule((name, kwargs), delay=delay)
    else:
        huey.amicale_run_job(name, kwargs)


_worker_app: Flask | None = None


def _run_in_worker(name: str, kwargs: dict) -> None:
    global _worker_app
    if _worker_app is None:
        from .app import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        JOBS[name](**kwargs)


def run_worker(app: Flask, workers: int = 1) -> None:
    """The consumer (``amicale worker``): runs the queued jobs until stopped."""
    global _worker_app
    _worker_app = app
    os.environ.setdefault("AMICALE_INSTANCE", app.instance_path)
    huey = queue_for(app.instance_path, app.config.get("AMICALE_REDIS_URL"))
    consumer = huey.create_consumer(workers=workers, periodic=False)
    consumer.run()


def run_embedded(app: Flask, stop: threading.Event, *, idle: float = 1.0) -> None:
    """The worker of the embedded default, in a thread of ``amicale serve``: runs the queued
    jobs (those scheduled for later when their time comes) and, every minute, the periodic work
    (scheduled mailings). With Redis, run ``amicale worker`` processes instead."""
    global _worker_app
    _worker_app = app
    huey = queue_for(app.instance_path, app.config.get("AMICALE_REDIS_URL"))
    next_periodic = 0.0
    while not stop.is_set():
        now = datetime.now(UTC).replace(tzinfo=None)  # huey keeps naive UTC times
        try:
            for task in huey.read_schedule(now):
                huey.enqueue(task)
            if time.monotonic() >= next_periodic:
                next_periodic = time.monotonic() + 60
                with app.app_context():
                    run_periodic()
            task = huey.dequeue()
            if task is None:
                stop.wait(idle)
                continue
            if task.eta and task.eta > now:
                huey.add_schedule(task)
                continue
            huey.execute(task)
        except Exception:  # one failing job must not stop the others
            log.exception("background job failed")
            stop.wait(idle)


def cron_matches(schedule: str, moment: datetime) -> bool:
    """Whether a cron expression (5 fields) names the minute of ``moment`` (huey's crontab)."""
    from huey import crontab

    fields = schedule.split()
    if len(fields) != 5:
        raise ValueError(f"a cron expression has 5 fields: {schedule!r}")
    minute, hour, day, month, day_of_week = fields
    return crontab(minute, hour, day, month, day_of_week)(moment)


def run_scheduled(moment: datetime | None = None, *, everything: bool = False) -> list[str]:
    """Run the enabled components' scheduled jobs whose schedule names this minute (every one
    with ``everything``), each committed on its own; one that fails is logged and the others
    run. Returns the names of those that ran."""
    from .db import session
    from .plugins import hook

    moment = moment or datetime.now()  # noqa: DTZ005 - cron schedules are in server time
    ran = []
    for found in hook.scheduled_jobs():
        for scheduled in found or ():
            if not everything and not cron_matches(scheduled.schedule, moment):
                continue
            s = session()
            try:
                scheduled.run(s)
                s.commit()
            except Exception:  # one failing job must not stop the others
                s.rollback()
                log.exception("scheduled job %s failed", scheduled.name)
                continue
            ran.append(scheduled.name)
    return ran


def run_periodic() -> None:
    """The periodic work (``amicale jobs run``, every minute): mailings whose time has come, and
    the components' scheduled jobs due this minute."""
    from .db import session
    from .mail.mailings import send_due

    send_due(session())
    run_scheduled()
