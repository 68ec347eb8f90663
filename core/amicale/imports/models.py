"""Imports: the record of each import (who, when, which file and its hash, options, counts,
progress), the rows it created or changed (to find and undo them), the rejected rows with their
reason (to download, fix and import again), and the saved mappings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from ..clock import utcnow

# statuses of an import
READY, QUEUED, RUNNING, DONE, FAILED, UNDONE = (
    "ready",
    "queued",
    "running",
    "done",
    "failed",
    "undone",
)
STATUSES = (READY, QUEUED, RUNNING, DONE, FAILED, UNDONE)
ON_DUPLICATE = ("skip", "update", "fill", "create")
# what became of a row
CREATED, UPDATED, SKIPPED, REJECTED = "created", "updated", "skipped", "rejected"


class ImportJob(SQLModel, table=True):
    """One import of one file. ``rows_done`` moves with each committed batch: an interrupted
    import resumes there; the counts are those of the rows done."""

    __tablename__ = "import_job"

    id: int | None = Field(default=None, primary_key=True)
    target: str = Field(default="contacts", max_length=64)
    file_name: str = Field(max_length=255)
    file_hash: str = Field(max_length=64, index=True)  # SHA-256 of the file's bytes
    file_size: int = Field(default=0)
    stored_as: str = Field(max_length=255)  # file name inside the instance's imports folder
    dialect: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    options: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=READY, max_length=20)
    dry_run: dict | None = Field(default=None, sa_column=Column(JSON))  # the last dry run's report
    total_rows: int = Field(default=0)
    rows_done: int = Field(default=0)
    created: int = Field(default=0)
    updated: int = Field(default=0)
    skipped: int = Field(default=0)
    rejected: int = Field(default=0)
    group_id: int | None = Field(default=None, foreign_key="contact_group.id", ondelete="SET NULL")
    error: str | None = None
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    heartbeat_at: datetime | None = None  # the last committed batch
    finished_at: datetime | None = None


class ImportItem(SQLModel, table=True):
    """A record an import created or updated (``before`` keeps what an update changed, so that
    undoing puts it back)."""

    __tablename__ = "import_item"
    __table_args__ = (Index("ix_import_item_import_id_row_number", "import_id", "row_number"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="import_job.id", ondelete="CASCADE")
    row_number: int
    action: str = Field(max_length=10)
    entity_id: int  # the contact (or the target's record)
    before: dict | None = Field(default=None, sa_column=Column(JSON))


class ImportReject(SQLModel, table=True):
    """A row that was not imported, with its cells as read and the reason. ``dry`` rows come
    from the last dry run."""

    __tablename__ = "import_reject"
    __table_args__ = (
        Index("ix_import_reject_import_id_dry_row", "import_id", "dry", "row_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="import_job.id", ondelete="CASCADE")
    dry: bool = Field(default=False)
    row_number: int
    cells: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reason: str


class ImportMapping(SQLModel, table=True):
    """A saved mapping: columns (by header) to fields, value mappings, and the options."""

    __tablename__ = "import_mapping"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    target: str = Field(default="contacts", max_length=64)
    mapping: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    options: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


def _words() -> dict:
    """The statuses and outcomes stored as values and shown translated (``_(value)``)."""
    from flask_babel import lazy_gettext as _l

    return {
        READY: _l("ready"),
        QUEUED: _l("queued"),
        RUNNING: _l("running"),
        DONE: _l("done"),
        FAILED: _l("failed"),
        UNDONE: _l("undone"),
        CREATED: _l("created"),
        UPDATED: _l("updated"),
        SKIPPED: _l("skipped"),
        REJECTED: _l("rejected"),
    }
