"""The life of an import: the file is stored and its dialect detected (``start``), the user maps
columns to fields and chooses a duplicate rule and what to do with a duplicate (``configure``),
tries it (``run(dry_run=True)``: nothing is written, the report tells what would happen), then
runs it in the background (``run``): batches of rows, each in its own transaction with the
import's progress, so that an interrupted import resumes where it stopped and a bad row never
stops the good ones. ``undo`` deletes what it created and puts back what it changed.

Targets: ``contacts`` here; activities, relationships and the components' records through the
``import_targets`` hook (``ImportTarget``), their rows matched to contacts by number, external
identifier or email.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, text, update
from sqlmodel import Session

from ..clock import utcnow
from ..contacts.models import Contact, ContactType, Email
from ..dedupe.finding import RuleSpec
from ..dedupe.models import DedupeRule
from ..errors import DomainError, NotFound, ValidationError
from ..hooktypes import ImportField, ImportResult, ImportTarget
from ..jobs import job
from . import reading
from .contacts import ContactRows, Prepared, update_existing, write_new
from .fields import contact_fields, guess_mapping
from .matching import Matcher
from .models import (
    CREATED,
    DONE,
    FAILED,
    ON_DUPLICATE,
    QUEUED,
    READY,
    REJECTED,
    RUNNING,
    SKIPPED,
    UNDONE,
    UPDATED,
    ImportItem,
    ImportJob,
    ImportMapping,
    ImportReject,
)
from .targets import error_text

BATCH = 2000
ANALYZE_FIRST = 2000  # rows written before the first ANALYZE (PostgreSQL)
ANALYZED_TABLES = (
    "contact",
    "email",
    "phone",
    "address",
    "contact_search_token",
    "group_contact",
    "group_contact_history",
    "entity_tag",
    "import_item",
)
MAX_FILE_BYTES = 200 * 1024 * 1024
DRY_SAMPLE = 200  # outcomes a dry run keeps to show


def _hook():
    from ..plugins import hook

    return hook


def folder() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


# -- targets --------------------------------------------------------------------------------------


def targets() -> dict[str, ImportTarget | None]:
    """``contacts`` (None: the importer's own) and every target of the enabled components."""
    out: dict[str, ImportTarget | None] = {"contacts": None}
    for found in _hook().import_targets():
        for target in found or ():
            out[target.name] = target
    return out


def target_label(name: str) -> str:
    target = targets().get(name)
    return str(_l("Contacts")) if target is None else str(target.label)


def target_fields(session: Session, name: str) -> list[tuple[str, str, str]]:
    """(key, label, section) of the fields a column can be mapped to."""
    if name == "contacts":
        return [(c.key, c.label, c.section) for c in contact_fields(session)]
    target = _target(name)
    out = []
    for f in target.fields:
        if f.field_type == "contact":
            for how, label in CONTACT_REFERENCES.items():
                out.append((f"{f.name}:{how}", f"{f.label} ({label})", str(target.label)))
        else:
            out.append((f.name, str(f.label), str(target.label)))
    return out


CONTACT_REFERENCES = {
    "id": _l("contact number"),
    "external_identifier": _l("external identifier"),
    "email": _l("email"),
}


def _target(name: str) -> ImportTarget:
    found = targets()
    if name not in found:
        raise ValidationError(
            str(_l("Unknown kind of import: %(name)s", name=name)), field="target"
        )
    target = found[name]
    assert target is not None
    return target


# -- starting and configuring ---------------------------------------------------------------------


def start(
    session: Session,
    stream: BinaryIO,
    file_name: str,
    *,
    target: str = "contacts",
    user_id: int | None = None,
) -> ImportJob:
    """Store an uploaded file, detect how to read it, guess a mapping: an import ready to be
    configured."""
    if target not in targets():
        raise ValidationError(
            str(_l("Unknown kind of import: %(name)s", name=target)), field="target"
        )
    if not file_name:
        raise ValidationError(str(_l("Choose a file.")), field="file")
    fmt = reading.file_format(file_name)
    digest = hashlib.sha256()
    tmp = folder() / f"upload-{utcnow().strftime('%Y%m%d%H%M%S%f')}.{fmt}"
    size = 0
    with open(tmp, "wb") as out:
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                out.close()
                tmp.unlink()
                raise ValidationError(
                    str(_l("The file is larger than %(n)s MB.", n=MAX_FILE_BYTES // 2**20)),
                    field="file",
                )
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        tmp.unlink()
        raise ValidationError(str(_l("The file is empty.")), field="file")
    try:
        dialect = reading.detect(tmp, file_name)
        headers, _sample = reading.header_and_sample(tmp, dialect)
    except DomainError:
        tmp.unlink()
        raise
    job = ImportJob(
        target=target,
        file_name=Path(file_name).name[:255],
        file_hash=digest.hexdigest(),
        file_size=size,
        stored_as="",
        dialect=dialect.as_dict(),
        user_id=user_id,
    )
    rule = _default_rule(session)
    job.options = {
        "mapping": guess_mapping(session, headers) if target == "contacts" else [],
        "rule_id": rule.id if rule and target == "contacts" else None,
        "on_duplicate": "skip",
        "contact_type": ContactType.INDIVIDUAL.value,
        "groups": [],
        "tags": [],
    }
    session.add(job)
    session.flush()
    job.stored_as = f"{job.id}-{job.file_hash[:16]}.{fmt}"
    shutil.move(tmp, folder() / job.stored_as)
    session.flush()
    return job


def _default_rule(session: Session) -> DedupeRule | None:
    return session.execute(
        select(DedupeRule).where(DedupeRule.is_default, DedupeRule.contact_type == "Individual")
    ).scalar()


def get_job(session: Session, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(str(_l("No import with the number %(id)s.", id=job_id)))
    return job


def list_jobs(session: Session, *, limit: int = 50) -> list[ImportJob]:
    return list(
        session.execute(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)).scalars()
    )


def path_of(job: ImportJob) -> Path:
    path = folder() / job.stored_as
    if not path.exists():
        raise NotFound(str(_l("The file of import %(id)s is no longer on the server.", id=job.id)))
    return path


def headers_and_sample(job: ImportJob, size: int = 10) -> tuple[list[str], list[list]]:
    return reading.header_and_sample(path_of(job), reading.Dialect.of(job.dialect), size)


def configure(session: Session, job_id: int, data: dict[str, Any]) -> ImportJob:
    """Set the dialect, mapping and options of an import not yet run (every problem reported
    at once); ``save_as`` also saves the mapping under that name."""
    job = get_job(session, job_id)
    if job.status not in (READY, FAILED) or job.rows_done:
        raise ValidationError(
            str(_l("This import has already run; start a new one.")), field="status"
        )
    errors: dict[str, list[str]] = {}
    for name, kind in (("dialect", dict), ("mapping", list), ("save_as", str)):
        if data.get(name) is not None and not isinstance(data[name], kind):
            errors[name] = [str(_l("This value has the wrong type."))]
    for name in ("contact_type", "on_duplicate"):
        if name in data and not isinstance(data[name], str):
            errors[name] = [str(_l("This value has the wrong type."))]
    if errors:
        raise ValidationError(str(_l("Some fields are not valid.")), errors=errors)
    dialect = reading.Dialect.of({**job.dialect, **(data.get("dialect") or {})})
    try:
        reading.check_dialect(dialect)
    except ValidationError as exc:
        errors.update({f"dialect.{k}": v for k, v in exc.errors.items()})
    options = dict(job.options)
    if not errors:
        job.dialect = dialect.as_dict()
    headers, _sample = headers_and_sample(job)
    keys = {k for k, _l2, _s in target_fields(session, job.target)}
    if "mapping" in data:
        mapping = []
        for i, m in enumerate(data.get("mapping") or []):
            try:
                column = int(m.get("column"))
            except (TypeError, ValueError, AttributeError):
                errors[f"mapping.{i}.column"] = [str(_l("Give the column's number."))]
                continue
            key = m.get("field")
            if not key:
                continue
            if not 0 <= column < len(headers):
                errors[f"mapping.{i}.column"] = [str(_l("The file has no such column."))]
            if key not in keys:
                errors[f"mapping.{i}.field"] = [str(_l("Unknown field: %(name)s", name=key))]
            values = m.get("values") or {}
            if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
                errors[f"mapping.{i}.values"] = [
                    str(_l("Give the value mapping as pairs of texts."))
                ]
                values = {}
            mapping.append(
                {
                    "column": column,
                    "header": headers[column] if 0 <= column < len(headers) else "",
                    "field": key,
                    "values": {str(k): v for k, v in values.items()},
                }
            )
        options["mapping"] = mapping
    if "on_duplicate" in data:
        if data["on_duplicate"] not in ON_DUPLICATE:
            errors["on_duplicate"] = [str(_l("Choose skip, update, fill or create."))]
        options["on_duplicate"] = data["on_duplicate"]
    if "rule_id" in data:
        rule_id = data["rule_id"] or None
        if rule_id is not None:
            try:
                rule_id = int(rule_id)
            except (TypeError, ValueError):
                rule_id = -1
            if session.get(DedupeRule, rule_id) is None:
                errors["rule_id"] = [str(_l("Choose one of the duplicate rules."))]
        options["rule_id"] = rule_id
    if "contact_type" in data:
        if data["contact_type"] not in {t.value for t in ContactType}:
            errors["contact_type"] = [str(_l("Choose a kind of contact."))]
        options["contact_type"] = data["contact_type"]
    for name, model_name in (("groups", "Group"), ("tags", "Tag")):
        if name in data:
            ids = _ids(data[name])
            if ids is None or len(_existing(session, model_name, ids)) != len(ids):
                errors[name] = [str(_l("Choose among the groups and tags offered."))]
            options[name] = ids or []
    if not errors:
        rule = session.get(DedupeRule, options["rule_id"]) if options.get("rule_id") else None
        if rule is not None and rule.contact_type != options.get("contact_type", "Individual"):
            errors["rule_id"] = [
                str(_l("This rule is for another kind of contact than the one imported."))
            ]
    if job.target != "contacts":
        required = {f.name for f in _target(job.target).fields if f.required}
        mapped = {m["field"].split(":")[0] for m in options.get("mapping", [])}
        missing = sorted(required - mapped)
        if "mapping" in data and missing:
            errors["mapping"] = [
                str(_l("Map a column to each required field: %(names)s", names=", ".join(missing)))
            ]
    save_as = (data.get("save_as") or "").strip()
    if save_as and len(save_as) > 120:
        errors["save_as"] = [str(_l("Longer than %(n)s characters.", n=120))]
    if errors:
        raise ValidationError(str(_l("Some fields are not valid.")), errors=errors)
    job.options = options
    if save_as:
        save_mapping(session, save_as, job.target, options)
    session.flush()
    return job


def _ids(value: Any) -> list[int] | None:
    if value in (None, ""):
        return []
    if isinstance(value, str | int):
        value = [value]
    try:
        return sorted({int(v) for v in value if v not in (None, "")})
    except (TypeError, ValueError):
        return None


def _existing(session: Session, model_name: str, ids: list[int]) -> set[int]:
    from ..groups.models import Group
    from ..tags.models import Tag

    model = {"Group": Group, "Tag": Tag}[model_name]
    if not ids:
        return set()
    return set(session.execute(select(model.id).where(model.id.in_(ids))).scalars())


# -- saved mappings -------------------------------------------------------------------------------


def list_mappings(session: Session, target: str | None = None) -> list[ImportMapping]:
    query = select(ImportMapping).order_by(ImportMapping.name)
    if target:
        query = query.where(ImportMapping.target == target)
    return list(session.execute(query).scalars())


def find_mapping(session: Session, name_or_id: str | int) -> ImportMapping:
    query = select(ImportMapping)
    if str(name_or_id).isdigit():
        query = query.where(ImportMapping.id == int(name_or_id))
    else:
        query = query.where(ImportMapping.name == str(name_or_id))
    found = session.execute(query).scalar()
    if found is None:
        raise NotFound(str(_l("No saved mapping named %(name)s.", name=name_or_id)))
    return found


def save_mapping(session: Session, name: str, target: str, options: dict) -> ImportMapping:
    found = session.execute(select(ImportMapping).where(ImportMapping.name == name)).scalar()
    if found is None:
        found = ImportMapping(name=name, target=target)
        session.add(found)
    found.target = target
    found.mapping = list(options.get("mapping") or [])
    found.options = {k: v for k, v in options.items() if k != "mapping"}
    session.flush()
    return found


def apply_mapping(session: Session, job_id: int, mapping_id: int | str) -> ImportJob:
    """Use a saved mapping: its columns are found by their header (else their position)."""
    job = get_job(session, job_id)
    saved = find_mapping(session, mapping_id)
    if saved.target != job.target:
        raise ValidationError(
            str(_l("This mapping is for another kind of import.")), field="mapping"
        )
    headers, _sample = headers_and_sample(job)
    where = {h.strip().casefold(): i for i, h in enumerate(headers)}
    mapping = []
    for m in saved.mapping:
        column = where.get(str(m.get("header", "")).strip().casefold(), m.get("column"))
        if column is not None and 0 <= int(column) < len(headers):
            mapping.append({**m, "column": int(column)})
    data = {**saved.options, "mapping": mapping}
    data.pop("save_as", None)
    return configure(session, job_id, data)


# -- running --------------------------------------------------------------------------------------


def queue(session: Session, job_id: int) -> ImportJob:
    """Start (or resume) an import in the background."""
    from ..jobs import enqueue

    job = get_job(session, job_id)
    if job.status in (DONE, UNDONE):
        raise ValidationError(str(_l("This import is finished.")), field="status")
    if job.status in (RUNNING, QUEUED) and not is_stalled(job):
        raise ValidationError(str(_l("This import is already running.")), field="status")
    if not job.options.get("mapping"):
        raise ValidationError(str(_l("Map at least one column to a field.")), field="mapping")
    job.status = QUEUED
    session.commit()
    enqueue("imports.run", import_id=job.id)
    return job


def is_stalled(job: ImportJob, *, seconds: int = 120) -> bool:
    """A running import whose last batch is older than ``seconds`` (its worker stopped)."""
    if job.status not in (RUNNING, QUEUED):
        return False
    last = job.heartbeat_at or job.started_at or job.created_at
    return (utcnow() - last).total_seconds() > seconds


@job("imports.run")
def run_job(import_id: int) -> None:
    from ..db import session

    run(session(), import_id)


class _Outcome:
    __slots__ = ("action", "reason", "row_number", "cells", "entity_id")

    def __init__(self, row_number, cells, action, reason="", entity_id=None):
        self.row_number, self.cells, self.action = row_number, cells, action
        self.reason, self.entity_id = reason, entity_id


def _rows(job: ImportJob, start: int) -> Iterator[tuple[int, list]]:
    """(row number as the spreadsheet shows it, cells) of the data rows from ``start``."""
    dialect = reading.Dialect.of(job.dialect)
    first = 2 if dialect.has_header else 1
    for n, cells in enumerate(reading.read_rows(path_of(job), dialect)):
        if dialect.has_header and n == 0:
            continue
        index = n - (first - 1)
        if index < start:
            continue
        if not any(str(c).strip() for c in cells):
            continue  # blank lines are no rows
        yield n + 1, cells


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run(
    session: Session,
    import_id: int,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH,
) -> ImportJob:
    """Run an import (or resume it), batch by batch; with ``dry_run``, write nothing but the
    report of what would happen. Returns the import with its counts."""
    job = get_job(session, import_id)
    dialect = reading.Dialect.of(job.dialect)
    if not job.total_rows:
        job.total_rows = reading.count_rows(path_of(job), dialect)
    if dry_run:
        if job.status not in (READY, FAILED) or job.rows_done:
            raise ValidationError(
                str(_l("This import has already run; start a new one.")), field="status"
            )
        session.execute(
            delete(ImportReject).where(ImportReject.import_id == job.id, ImportReject.dry)
        )
        report = {CREATED: 0, UPDATED: 0, SKIPPED: 0, REJECTED: 0, "rows": []}
        start_at = 0
    else:
        if job.status in (DONE, UNDONE):
            raise ValidationError(str(_l("This import is finished.")), field="status")
        job.status = RUNNING
        job.started_at = job.started_at or utcnow()
        job.heartbeat_at = utcnow()
        job.error = None
        if job.target == "contacts" and job.group_id is None:
            job.group_id = _make_group(session, job)
        start_at = job.rows_done
        session.commit()
    runner = (
        _ContactRunner(session, job, dry_run)
        if job.target == "contacts"
        else _TargetRunner(session, job, dry_run)
    )
    done = start_at
    try:
        for batch in _batches(_rows(job, start_at), batch_size):
            outcomes = runner.batch(batch)
            done += len(batch)
            counts = defaultdict(int)
            for o in outcomes:
                counts[o.action] += 1
            rejects = [
                {
                    "import_id": job.id,
                    "dry": dry_run,
                    "row_number": o.row_number,
                    "cells": [str(c) if not isinstance(c, str) else c for c in o.cells],
                    "reason": o.reason,
                }
                for o in outcomes
                if o.action == REJECTED
            ]
            if rejects:
                from sqlalchemy import insert

                session.execute(insert(ImportReject.__table__), rejects)
            if dry_run:
                for action in (CREATED, UPDATED, SKIPPED, REJECTED):
                    report[action] += counts[action]
                for o in outcomes:
                    if len(report["rows"]) < DRY_SAMPLE:
                        report["rows"].append(
                            {"row": o.row_number, "action": o.action, "reason": o.reason}
                        )
            else:
                runner.after_batch()
                session.execute(
                    update(ImportJob)
                    .where(ImportJob.id == job.id)
                    .values(
                        rows_done=done,
                        created=ImportJob.created + counts[CREATED],
                        updated=ImportJob.updated + counts[UPDATED],
                        skipped=ImportJob.skipped + counts[SKIPPED],
                        rejected=ImportJob.rejected + counts[REJECTED],
                        heartbeat_at=utcnow(),
                    )
                )
                session.commit()
            if progress:
                progress(done, job.total_rows)
    except BaseException as exc:  # an interruption too: the import says where it stopped
        session.rollback()
        if not dry_run:
            job = get_job(session, import_id)
            job.status = FAILED
            job.error = (str(exc) or type(exc).__name__)[:2000]
            session.commit()
        raise
    job = get_job(session, import_id)
    if dry_run:
        job.dry_run = {**report, "at": utcnow().isoformat(timespec="seconds")}
        session.commit()
        return job
    job.status = DONE
    job.rows_done = job.total_rows
    job.finished_at = utcnow()
    session.commit()
    return job


def _make_group(session: Session, job: ImportJob) -> int:
    from ..groups.services import create_group

    group = create_group(
        session,
        {
            "title": str(_l("Import %(id)s: %(file)s", id=job.id, file=job.file_name))[:120],
            "description": str(_l("The contacts created or updated by import %(id)s.", id=job.id)),
        },
        user_id=job.user_id,
    )
    return group.id


class _ContactRunner:
    def __init__(self, session: Session, job: ImportJob, dry_run: bool) -> None:
        self.session, self.job, self.dry_run = session, job, dry_run
        options = job.options
        headers, _sample = headers_and_sample(job, 0)
        self.rows = ContactRows(
            session, headers, options.get("mapping") or [], options, reading.Dialect.of(job.dialect)
        )
        self.on_duplicate = options.get("on_duplicate", "skip")
        rule = session.get(DedupeRule, options["rule_id"]) if options.get("rule_id") else None
        self.matcher = Matcher(session, RuleSpec.of(session, rule)) if rule else None
        self.rule_type = rule.contact_type if rule else None
        self.external: dict[str, Prepared] = {}  # external identifiers created by this file
        self.label = str(_l("Import %(id)s: %(file)s", id=job.id, file=job.file_name))[:255]
        self.touched_groups: dict[int, set[int]] = defaultdict(set)
        self.touched_tags: dict[int, set[int]] = defaultdict(set)
        self.written = 0
        self.next_analyze = ANALYZE_FIRST

    def batch(self, batch: list[tuple[int, list]]) -> list[_Outcome]:
        s = self.session
        outcomes: list[_Outcome] = []
        prepared: list[tuple[_Outcome, Prepared | None]] = []
        for row_number, cells in batch:
            p = self.rows.prepare(row_number, cells)
            o = _Outcome(row_number, cells, REJECTED if isinstance(p, str) else "")
            if isinstance(p, str):
                o.reason = p
                p = None
            outcomes.append(o)
            prepared.append((o, p))
        good = [(o, p) for o, p in prepared if p is not None]
        # external identifiers: always a match (they are unique)
        ext_values = sorted(
            {
                p.contact["external_identifier"]
                for _o, p in good
                if p.contact.get("external_identifier")
            }
        )
        by_ext: dict[str, tuple[int, bool]] = {}
        for start in range(0, len(ext_values), 500):
            for cid, ext, deleted in s.execute(
                select(Contact.id, Contact.external_identifier, Contact.is_deleted).where(
                    Contact.external_identifier.in_(ext_values[start : start + 500])
                )
            ):
                by_ext[ext] = (cid, deleted)
        matches: list[Any] = [None] * len(good)
        rule_rows = []
        for i, (o, p) in enumerate(good):
            ext = p.contact.get("external_identifier")
            if ext and ext in by_ext:
                cid, deleted = by_ext[ext]
                if deleted:
                    o.action = REJECTED
                    o.reason = str(
                        _l(
                            "The external identifier %(value)s belongs to contact %(id)s, "
                            "which is in the trash.",
                            value=ext,
                            id=cid,
                        )
                    )
                    continue
                matches[i] = cid
            elif ext and ext in self.external:
                matches[i] = self.external[ext]
            elif self.matcher is not None and p.contact["contact_type"] == self.rule_type:
                rule_rows.append(i)
        if rule_rows and self.matcher is not None:
            found = self.matcher.match([good[i][1].incoming(self.matcher.names) for i in rule_rows])
            for i, hit in zip(rule_rows, found, strict=True):
                if hit is not None:
                    matches[i] = hit[0]
        rule_set = set(rule_rows)
        pending: list[Prepared] = []
        updates: list[tuple[_Outcome, Prepared, Any]] = []
        for i, (o, p) in enumerate(good):
            if o.action == REJECTED:
                continue
            match = matches[i]
            if match is None and i in rule_set:
                hit = self.matcher.recall(p.incoming(self.matcher.names))
                match = hit[0] if hit is not None else None
            if match is not None and self.on_duplicate == "create" and _same_ext(match, p):
                o.action = REJECTED
                o.reason = str(
                    _l(
                        "The external identifier %(value)s is already used (%(who)s).",
                        value=p.contact["external_identifier"],
                        who=_duplicate_reason(match),
                    )
                )
                continue
            if match is None or self.on_duplicate == "create":
                reason = self.rows.creation_defaults(p)
                if reason:
                    o.action, o.reason = REJECTED, reason
                    continue
                o.action = CREATED
                pending.append(p)
                o.entity_id = p
                if p.contact.get("external_identifier"):
                    self.external[p.contact["external_identifier"]] = p
                if self.matcher is not None:
                    self.matcher.remember(p.incoming(self.matcher.names))
                continue
            target = match
            if self.on_duplicate == "skip":
                o.action = SKIPPED
                o.reason = _duplicate_reason(target)
                continue
            updates.append((o, p, target))
            o.action = UPDATED
        if self.dry_run:
            return outcomes
        if pending:
            write_new(
                s,
                pending,
                custom_fields=self.rows.custom_fields,
                import_id=self.job.id,
                label=self.label,
                user_id=self.job.user_id,
            )
            for p in pending:
                for g in p.groups:
                    self.touched_groups[g].add(p.contact_id)
                for t in p.tags:
                    self.touched_tags[t].add(p.contact_id)
        for o, p, target in updates:
            contact_id = target.contact_id if isinstance(target, Prepared) else target
            try:
                with s.begin_nested():
                    before = update_existing(
                        s,
                        contact_id,
                        p,
                        custom_fields=self.rows.custom_fields,
                        fill_only=self.on_duplicate == "fill",
                        user_id=self.job.user_id,
                    )
            except DomainError as exc:
                o.action, o.reason = REJECTED, error_text(exc)
                continue
            o.entity_id = contact_id
            if not before:
                o.action, o.reason = (
                    SKIPPED,
                    str(_l("Nothing to change on contact %(id)s.", id=contact_id)),
                )
            s.add(
                ImportItem(
                    import_id=self.job.id,
                    row_number=o.row_number,
                    action=o.action,
                    entity_id=contact_id,
                    before=before or None,
                )
            )
            for g in p.groups:
                self.touched_groups[g].add(contact_id)
            for t in p.tags:
                self.touched_tags[t].add(contact_id)
            if o.action == UPDATED and self.job.group_id:
                self.touched_groups[self.job.group_id].add(contact_id)
        for p in pending:
            if self.job.group_id:
                self.touched_groups[self.job.group_id].add(p.contact_id)
        for o in outcomes:
            if isinstance(o.entity_id, Prepared):
                o.entity_id = o.entity_id.contact_id
        return outcomes

    def after_batch(self) -> None:
        from ..groups.services import add_contacts
        from ..tags.services import tag_contacts

        for group_id, ids in self.touched_groups.items():
            add_contacts(
                self.session, group_id, sorted(ids), user_id=self.job.user_id, method="Import"
            )
        for tag_id, ids in self.touched_tags.items():
            tag_contacts(self.session, tag_id, sorted(ids))
        self.written += sum(len(ids) for ids in self.touched_groups.values())
        self.touched_groups.clear()
        self.touched_tags.clear()
        self._refresh_statistics()

    def _refresh_statistics(self) -> None:
        """PostgreSQL plans with the statistics of the tables as they were: an import that
        doubles them (a new database, a big file) would be planned as if they were empty, with
        scans that get slower at each batch. ANALYZE the tables it fills each time what it
        wrote doubles (a few ANALYZEs in all). SQLite's planner has no such statistics here."""
        if self.written < self.next_analyze:
            return
        self.next_analyze = self.written * 2
        if self.session.get_bind().dialect.name != "postgresql":
            return
        self.session.commit()
        for table in ANALYZED_TABLES:
            self.session.execute(text(f"ANALYZE {table}"))
        self.session.commit()


def _same_ext(match: Any, p: Prepared) -> bool:
    """A match through the external identifier cannot be "created anyway" (it is unique)."""
    ext = p.contact.get("external_identifier")
    if not ext:
        return False
    if isinstance(match, Prepared):
        return match.contact.get("external_identifier") == ext
    return True


def _duplicate_reason(target: Any) -> str:
    if isinstance(target, Prepared):
        return str(_l("Same person as row %(n)s.", n=target.row_number))
    return str(_l("Duplicate of contact %(id)s.", id=target))


# -- other targets (activities, relationships, components' records) -------------------------------


class _TargetRunner:
    def __init__(self, session: Session, job: ImportJob, dry_run: bool) -> None:
        self.session, self.job, self.dry_run = session, job, dry_run
        self.target = _target(job.target)
        self.fields = {f.name: f for f in self.target.fields}
        self.dialect = reading.Dialect.of(job.dialect)
        headers, _sample = headers_and_sample(job, 0)
        self.headers = headers
        self.mapping = [
            (
                int(m["column"]),
                m["field"],
                {str(k).strip().casefold(): v for k, v in (m.get("values") or {}).items()},
            )
            for m in job.options.get("mapping") or []
        ]

    def _convert(self, f: ImportField, raw: Any) -> Any:
        if f.field_type == "date":
            return reading.parse_date(raw, self.dialect.date_format)
        if f.field_type == "decimal":
            return reading.parse_decimal(raw, self.dialect.decimal)
        if f.field_type == "integer":
            number = reading.parse_decimal(raw, self.dialect.decimal)
            if number != number.to_integral_value():
                raise reading.BadValue(str(_l("“%(value)s” is not a whole number.", value=raw)))
            return int(number)
        if f.field_type == "boolean":
            return reading.parse_bool(raw)
        if f.field_type == "choice" and f.options is not None:
            options = dict(f.options())
            text = str(raw).strip()
            if text in options:
                return text
            for value, label in options.items():
                if str(label).casefold() == text.casefold():
                    return value
            raise reading.BadValue(
                str(
                    _l(
                        "“%(value)s” is not one of the options: %(options)s.",
                        value=text,
                        options=", ".join(options),
                    )
                )
            )
        return str(raw)

    def batch(self, batch: list[tuple[int, list]]) -> list[_Outcome]:
        outcomes: list[_Outcome] = []
        rows: list[dict] = []
        refs: list[tuple[int, str, str, str]] = []  # (row index, field, how, value)
        for row_number, cells in batch:
            o = _Outcome(row_number, cells, "")
            outcomes.append(o)
            values: dict[str, Any] = {}
            problems = []
            for column, key, vmap in self.mapping:
                raw = cells[column] if column < len(cells) else ""
                raw = raw.strip() if isinstance(raw, str) else raw
                if vmap and str(raw).casefold() in vmap:
                    raw = vmap[str(raw).casefold()]
                if raw in (None, ""):
                    continue
                name, _sep, how = key.partition(":")
                f = self.fields.get(name)
                if f is None:
                    continue
                if f.field_type == "contact":
                    refs.append((len(rows), name, how, str(raw)))
                    continue
                try:
                    values[name] = self._convert(f, raw)
                except reading.BadValue as exc:
                    header = self.headers[column] if column < len(self.headers) else column + 1
                    problems.append(f"{header}: {exc}")
            if problems:
                o.action, o.reason = REJECTED, "; ".join(problems)
            rows.append(values)
        self._resolve_contacts(rows, refs, outcomes)
        todo = []
        for o, values in zip(outcomes, rows, strict=True):
            if o.action == REJECTED:
                continue
            missing = [
                str(f.label)
                for f in self.target.fields
                if f.required and values.get(f.name) in (None, "")
            ]
            if missing:
                o.action = REJECTED
                o.reason = str(_l("Missing: %(names)s", names=", ".join(missing)))
                continue
            todo.append((o, values))
        if not todo:
            return outcomes
        if self.dry_run:
            nested = self.session.begin_nested()
        try:
            results = self.target.import_rows(self.session, [v for _o, v in todo])
        finally:
            if self.dry_run:
                nested.rollback()
        if len(results) != len(todo):
            raise RuntimeError(
                f"import target {self.target.name} gave {len(results)} results for {len(todo)} rows"
            )
        items = []
        for (o, _values), result in zip(todo, results, strict=True):
            assert isinstance(result, ImportResult)
            o.action, o.reason, o.entity_id = result.action, result.reason, result.entity_id
            if not self.dry_run and result.action in (CREATED, UPDATED) and result.entity_id:
                items.append(
                    ImportItem(
                        import_id=self.job.id,
                        row_number=o.row_number,
                        action=result.action,
                        entity_id=result.entity_id,
                    )
                )
        self.session.add_all(items)
        return outcomes

    def _resolve_contacts(self, rows: list[dict], refs: list, outcomes: list[_Outcome]) -> None:
        """Contact references of a batch in one query per way of referring."""
        by_how: dict[str, set[str]] = defaultdict(set)
        for _i, _name, how, value in refs:
            by_how[how].add(value.lower() if how == "email" else value)
        found: dict[tuple[str, str], int] = {}
        alive = Contact.is_deleted.is_(False)
        if by_how.get("id"):
            numbers = sorted({int(v) for v in by_how["id"] if v.isdigit()})
            for cid in self.session.execute(
                select(Contact.id).where(Contact.id.in_(numbers), alive)
            ).scalars():
                found[("id", str(cid))] = cid
        if by_how.get("external_identifier"):
            for cid, ext in self.session.execute(
                select(Contact.id, Contact.external_identifier).where(
                    Contact.external_identifier.in_(sorted(by_how["external_identifier"])), alive
                )
            ):
                found[("external_identifier", ext)] = cid
        if by_how.get("email"):
            rows_ = self.session.execute(
                select(Email.email, func.min(Email.contact_id))
                .join(Contact, Contact.id == Email.contact_id)
                .where(Email.email.in_(sorted(by_how["email"])), alive)
                .group_by(Email.email)
            )
            for email, cid in rows_:
                found[("email", email)] = cid
        for i, name, how, value in refs:
            key = (how, value.lower() if how == "email" else value)
            cid = found.get(key)
            if cid is None:
                if outcomes[i].action != REJECTED:
                    outcomes[i].action = REJECTED
                    outcomes[i].reason = str(_l("No contact found for %(value)s.", value=value))
                continue
            rows[i][name] = cid

    def after_batch(self) -> None:
        pass


# -- after the run --------------------------------------------------------------------------------


def rejects_csv(session: Session, job_id: int, *, dry: bool = False) -> Iterator[str]:
    """The rejected rows as a CSV in the file's own dialect, the reason added as a last column:
    fix them and import that file again."""
    job = get_job(session, job_id)
    dialect = reading.Dialect.of(job.dialect)
    headers, _sample = headers_and_sample(job, 0)
    delimiter = dialect.delimiter or ";"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    yield "\ufeff"
    writer.writerow([*headers, str(_l("Reason")), str(_l("Row"))])
    last = 0
    while True:
        chunk = session.execute(
            select(
                ImportReject.id, ImportReject.row_number, ImportReject.cells, ImportReject.reason
            )
            .where(
                ImportReject.import_id == job.id, ImportReject.dry.is_(dry), ImportReject.id > last
            )
            .order_by(ImportReject.id)
            .limit(2000)
        ).all()
        if not chunk:
            break
        for rid, row_number, cells, reason in chunk:
            cells = list(cells) + [""] * (len(headers) - len(cells))
            writer.writerow([*cells, reason, row_number])
            last = rid
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def reject_sample(
    session: Session, job_id: int, *, dry: bool = False, limit: int = 50
) -> list[ImportReject]:
    return list(
        session.execute(
            select(ImportReject)
            .where(ImportReject.import_id == job_id, ImportReject.dry.is_(dry))
            .order_by(ImportReject.row_number)
            .limit(limit)
        ).scalars()
    )


def undo(session: Session, job_id: int, *, user_id: int | None = None) -> ImportJob:
    """Delete the contacts (or records) the import created and put back what it changed."""
    from .contacts import undo_update

    job = get_job(session, job_id)
    if job.status == UNDONE:
        raise ValidationError(str(_l("This import has already been undone.")), field="status")
    if job.status in (RUNNING, QUEUED) and not is_stalled(job):
        raise ValidationError(
            str(_l("Wait for the import to end before undoing it.")), field="status"
        )
    if job.target != "contacts":
        raise ValidationError(
            str(_l("Only contact imports can be undone; delete the records from their pages.")),
            field="target",
        )
    hook = _hook()
    for item in session.execute(
        select(ImportItem)
        .where(ImportItem.import_id == job.id, ImportItem.action == UPDATED)
        .order_by(ImportItem.id.desc())
    ).scalars():
        if item.before:
            undo_update(session, item.entity_id, item.before, user_id=user_id)
    created = select(ImportItem.entity_id).where(
        ImportItem.import_id == job.id, ImportItem.action == CREATED
    )
    ids = list(session.execute(created).scalars())
    from ..customfields.services import delete_values

    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for cid in chunk:
            hook.erase_contact(contact_id=cid, session=session)
        delete_values(session, "contact", chunk)
        session.execute(delete(Contact).where(Contact.id.in_(chunk)))
    session.execute(delete(ImportItem).where(ImportItem.import_id == job.id))
    if job.group_id:
        from ..groups.services import delete_group

        group_id, job.group_id = job.group_id, None
        session.flush()
        delete_group(session, group_id)
    job.status = UNDONE
    job.finished_at = utcnow()
    session.commit()
    return job
