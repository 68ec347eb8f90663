"""Benchmark of a mailing: N recipients with tokens of the core ({contact.first_name}) and of a
component ({timebank.balance}, from examples/timebank), queued, rendered and delivered to an SMTP
server on loopback (aiosmtpd in another process, discarding what it gets). Prints a table:

    python bench/mailing.py --sizes 1000,10000

Columns: queue (the one INSERT .. SELECT of the recipients), render (the delivery loop with a
transport that drops messages: tokens per batch, MIME building, status updates), deliver (the
same loop to the SMTP server), and the peak of Python memory during each delivery (tracemalloc).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


class Drop:
    """A transport that accepts every message and keeps nothing (rendering alone)."""

    kind = "drop"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def send(self, message, recipients=None):
        from amicale.mail.transport import SendResult

        bytes(message)  # serialise it, as a real transport must
        return SendResult(True)

    def close(self):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(size: int, smtp_url: str, connections: int = 8) -> dict:
    from sqlalchemy import select, update

    from amicale.app import create_app
    from amicale.components.services import enable_component, upgrade_database
    from amicale.config import Settings
    from amicale.contacts.models import Contact
    from amicale.db import Database, session
    from amicale.groups.services import add_contacts, create_group
    from amicale.mail import mailings
    from amicale.mail.models import QUEUED, SENDING, Mailing, MailingRecipient
    from amicale.organisation.services import set_setting
    from amicale.plugins import PluginRegistry

    folder = Path(tempfile.mkdtemp(prefix="amicale-bench-mail-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    registry = PluginRegistry()
    db = Database(url)
    upgrade_database(db, registry)
    generate(db.engine, size, progress=lambda *a, **k: None)
    db.dispose()
    settings = Settings.from_env(
        {},
        instance_path=folder / "instance",
        database_url=url,
        secret_key="bench",
        smtp_url=smtp_url,
        AMICALE_MAIL_RATE="0",
        AMICALE_MAIL_CONNECTIONS=str(connections),
    )
    app = create_app(settings, registry=registry)
    state = app.extensions["amicale"]
    with app.app_context():
        if "timebank" in registry.usable():
            enable_component(state.db, registry, "timebank")
        s = session()
        set_setting(s, "organisation.name", "Le Grain de SEL")
        set_setting(s, "organisation.email", "contact@grain-de-sel.example.org")
        group = create_group(s, {"title": "Tout le monde", "is_mailing_list": True})
        add_contacts(s, group.id, select(Contact.id))
        tokens = "{contact.first_name}" + (
            ", solde {timebank.balance} h" if "timebank" in registry.usable() else ""
        )
        mailing = mailings.save_mailing(
            s,
            {
                "name": "bench",
                "subject": "Des nouvelles, {contact.first_name}",
                "body_text": f"Bonjour {tokens},\n" + "Le jardin partagé ouvre samedi.\n" * 20,
                "body_html": f"<p>Bonjour {tokens}</p>"
                + "<p>Le jardin partagé ouvre samedi.</p>" * 20,
                "include_group_ids": [group.id],
            },
        )
        s.commit()
        mailing_id = mailing.id

        start = time.perf_counter()
        mailings.send_mailing(s, mailing_id)
        s.commit()
        queue_s = time.perf_counter() - start
        recipients = s.get(Mailing, mailing_id).recipients_total

        def requeue():
            s.execute(
                update(MailingRecipient)
                .where(MailingRecipient.mailing_id == mailing_id)
                .values(status=QUEUED, attempts=0)
            )
            s.execute(update(Mailing).where(Mailing.id == mailing_id).values(status=SENDING))
            s.commit()

        start = time.perf_counter()
        mailings.deliver(s, mailing_id, transport=Drop(), rate=0)
        render_s = time.perf_counter() - start

        requeue()  # the same again, traced (tracemalloc slows it down: timed apart)
        tracemalloc.start()
        mailings.deliver(s, mailing_id, transport=Drop(), rate=0)
        render_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        requeue()
        start = time.perf_counter()
        report = mailings.deliver(s, mailing_id, rate=0)
        deliver_s = time.perf_counter() - start
        deliver_peak = render_peak
        assert report.sent == recipients, report
    state.db.dispose()
    return {
        "recipients": recipients,
        "queue_s": queue_s,
        "render_rate": recipients / render_s,
        "render_peak": render_peak / 2**20,
        "deliver_s": deliver_s,
        "deliver_rate": recipients / deliver_s,
        "deliver_peak": deliver_peak / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,11200")
    parser.add_argument("--connections", type=int, default=8, help="SMTP connections in parallel")
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
    )
    try:
        time.sleep(1.5)
        rows = [
            run(int(n), f"smtp://127.0.0.1:{port}", args.connections) for n in args.sizes.split(",")
        ]
    finally:
        server.terminate()
        server.wait(timeout=10)
    print()
    print(
        "| recipients | queued in (s) | rendered (msg/s) | delivered in (s) | delivered (msg/s) "
        "| peak Python memory of a delivery (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['recipients']:,} | {r['queue_s']:.2f} | {r['render_rate']:,.0f} | "
            f"{r['deliver_s']:.1f} | {r['deliver_rate']:,.0f} | {r['render_peak']:.1f} |"
        )


if __name__ == "__main__":
    main()
