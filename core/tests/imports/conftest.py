"""Fixtures of the import tests: files written on the fly, an import started from one."""

from __future__ import annotations

import io

import pytest


def csv_bytes(text: str, encoding: str = "utf-8-sig") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


@pytest.fixture
def start_import(db):
    """``start_import(data, "file.csv", **options)`` -> the import's id, configured."""
    from amicale.imports import services

    def start(data: bytes, name: str = "adherents.csv", **options) -> int:
        with db() as s:
            job = services.start(s, io.BytesIO(data), name)
            if options:
                services.configure(s, job.id, options)
            s.commit()
            return job.id

    return start


@pytest.fixture
def run_import(db):
    from amicale.imports import services

    def run(job_id: int, **kw):
        with db() as s:
            job = services.run(s, job_id, **kw)
            return {
                k: getattr(job, k)
                for k in (
                    "status",
                    "created",
                    "updated",
                    "skipped",
                    "rejected",
                    "rows_done",
                    "total_rows",
                    "group_id",
                    "dry_run",
                )
            }

    return run
