"""Finding the likely duplicates of a rule, by blocking: candidate pairs are only those contacts
that share a block key (computed in SQL with GROUP BY ... HAVING count > 1), then scored in
Python (rapidfuzz for the fuzzy fields). No comparison of every pair of the database.

Which key: the rule's *required* exact fields together (those without which the threshold cannot
be reached); else, when the fuzzy fields alone cannot reach the threshold, each exact field in
turn (a pair must share at least one); else the postal code (a fuzzy-only rule compares contacts
living in the same postal code). Inside a block, a required fuzzy field drives the comparison:
its distinct values are compared with each other (rapidfuzz), and only contacts whose values
are close become candidates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import String, cast, distinct, func, select
from sqlmodel import Session

from ..contacts.models import Address, Contact, Email, Phone
from ..contacts.normalise import fold
from .models import EXACT, FUZZY, DedupeException, DedupeRule, DedupeRuleField

# field -> (model, column): where the values of a field live; details may have several values.
SOURCES = {
    "first_name": (Contact, Contact.first_name),
    "last_name": (Contact, Contact.last_name),
    "organization_name": (Contact, Contact.organization_name),
    "household_name": (Contact, Contact.household_name),
    "birth_date": (Contact, Contact.birth_date),
    "external_identifier": (Contact, Contact.external_identifier),
    "email": (Email, Email.email),
    "phone": (Phone, Phone.phone_normalized),
    "postal_code": (Address, Address.postal_code),
    "city": (Address, Address.city),
    "street_address": (Address, Address.street_address),
}
# Which fuzzy field drives the comparison inside a block, best first (fewest distinct values).
DRIVER_ORDER = ("last_name", "organization_name", "household_name", "street_address", "city")
FALLBACK_BLOCK = "postal_code"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class RuleSpec:
    """A rule as plain values (so a benchmark or a test can build one without the database)."""

    contact_type: str
    threshold: int
    fields: tuple[tuple[str, str, int, int], ...]  # (field, match, weight, cutoff)

    @classmethod
    def of(cls, session: Session, rule: DedupeRule) -> RuleSpec:
        rows = session.execute(
            select(DedupeRuleField)
            .where(DedupeRuleField.rule_id == rule.id)
            .order_by(DedupeRuleField.id)
        ).scalars()
        return cls(
            rule.contact_type,
            rule.threshold,
            tuple((f.field, f.match, f.weight, f.cutoff) for f in rows),
        )


@dataclass(frozen=True)
class Pair:
    contact_a: int  # the smaller id
    contact_b: int
    score: int
    matched: tuple[str, ...]


@dataclass
class Found:
    pairs: list[Pair]
    candidates: int = 0  # pairs compared
    blocks: int = 0
    plan: list[list[str]] = field(default_factory=list)  # the block keys used


def normalise(value) -> str:
    """What the comparison sees: lower-case, accent-free, single spaces."""
    if value is None:
        return ""
    return _SPACES.sub(" ", fold(str(value))).strip()


def block_plan(spec: RuleSpec) -> list[list[str]]:
    """The block keys: one composite key, or several keys whose blocks are united."""
    total = sum(w for _f, _m, w, _c in spec.fields)
    exact = [f for f, m, _w, _c in spec.fields if m == EXACT]
    required_exact = [f for f, m, w, _c in spec.fields if m == EXACT and total - w < spec.threshold]
    if required_exact:
        return [list(dict.fromkeys(required_exact))]
    fuzzy_weight = sum(w for _f, m, w, _c in spec.fields if m == FUZZY)
    if exact and fuzzy_weight < spec.threshold:
        return [[f] for f in dict.fromkeys(exact)]
    return [[FALLBACK_BLOCK]]


def _key_expr(column):
    if isinstance(getattr(column.type, "impl", column.type), String):
        return func.lower(func.trim(column))
    return cast(column, String)


def _keyed_query(names: list[str], conditions: list):
    """``(contact_id, v0, v1...)``: the values of ``names`` of the contacts matching
    ``conditions``, from the contact table joined (on its indexed ``contact_id``) with the
    detail tables the fields live in; two fields of one table come from the same record."""
    query = select(Contact.id.label("contact_id")).where(*conditions)
    joined = set()
    for i, name in enumerate(names):
        model, column = SOURCES[name]
        if model is not Contact and model not in joined:
            query = query.join(model, model.contact_id == Contact.id)
            joined.add(model)
        expr = _key_expr(column)
        query = query.add_columns(expr.label(f"v{i}")).where(column.is_not(None), expr != "")
    return query.distinct()


def _blocks(session: Session, key: list[str], conditions: list) -> dict[tuple, list[int]]:
    """Blocks of contacts sharing every field of ``key``, only those of two or more: the
    shared keys come from SQL (GROUP BY ... HAVING count > 1), their members from one scan."""
    keyed = _keyed_query(key, conditions).subquery("keyed")
    values = [keyed.c[f"v{i}"] for i in range(len(key))]
    shared = {
        tuple(row)
        for row in session.execute(
            select(*values).group_by(*values).having(func.count(distinct(keyed.c.contact_id)) > 1)
        )
    }
    blocks: dict[tuple, list[int]] = defaultdict(list)
    if not shared:
        return blocks
    for cid, *vals in session.execute(select(keyed)):
        k = tuple(vals)
        if k in shared:
            blocks[k].append(cid)
    return blocks


def _load_values(
    session: Session, names: Iterable[str], conditions: list, ids: set[int]
) -> dict[str, dict[int, set]]:
    """Normalised values of each field for the contacts ``ids``: by chunks of ids when they are
    few, else in one scan of the contacts (cheaper than a long IN list)."""
    out: dict[str, dict[int, set]] = {}
    cache: dict = {}
    few = len(ids) <= 20_000
    chunks = [sorted(ids)[i : i + 5000] for i in range(0, len(ids), 5000)] if few else [None]
    names = list(dict.fromkeys(names))
    # the contact's own columns in one query; each detail field in its own
    own = [n for n in names if SOURCES[n][0] is Contact]
    groups = ([own] if own else []) + [[n] for n in names if n not in own]
    for group in groups:
        targets = [out.setdefault(n, defaultdict(set)) for n in group]
        columns = [SOURCES[n][1] for n in group]
        owner = Contact.id if group is own else SOURCES[group[0]][0].contact_id
        for chunk in chunks:
            where = [*conditions, Contact.id.in_(chunk)] if chunk is not None else conditions
            query = select(owner, *columns).where(*where)
            if group is not own:
                query = query.join(Contact, Contact.id == owner).where(columns[0].is_not(None))
            for cid, *raw in session.execute(query):
                if cid not in ids:
                    continue
                for target, value in zip(targets, raw, strict=True):
                    if value is None:
                        continue
                    v = cache.get(value)
                    if v is None:
                        v = cache[value] = normalise(value)
                    if v:
                        target[cid].add(v)
    return out


def _close_values(values: list[str], cutoff: int) -> Iterable[tuple[int, int]]:
    """Index pairs (i <= j) of values whose rapidfuzz ratio is at least ``cutoff``. Values of
    very different lengths cannot reach it, so each is compared only with a length window."""
    order = sorted(range(len(values)), key=lambda i: len(values[i]))
    ordered = [values[i] for i in order]
    lengths = [len(v) for v in ordered]
    ratio = cutoff / 100
    hi = 0
    for pos, value in enumerate(ordered):
        yield order[pos], order[pos]
        # ratio = 2m / (la + lb) <= 2 la / (la + lb): lb can be at most la (2 - r) / r
        limit = len(value) * (2 - ratio) / ratio if ratio else float("inf")
        hi = max(hi, pos + 1)
        while hi < len(ordered) and lengths[hi] <= limit:
            hi += 1
        if hi > pos + 1:
            for _match, _score, k in process.extract(
                value,
                ordered[pos + 1 : hi],
                scorer=fuzz.ratio,
                score_cutoff=cutoff,
                limit=None,
            ):
                yield order[pos], order[pos + 1 + k]


def find_pairs(
    session: Session,
    spec: RuleSpec,
    *,
    group_id: int | None = None,
    contact_ids=None,
) -> Found:
    """Every pair of contacts of the rule's type, out of the trash, not marked "not a
    duplicate", whose matching fields weigh at least the threshold; best scores first.
    ``group_id`` limits the search to a group's members; ``contact_ids`` (a select of ids)
    to any set of contacts."""
    conditions = [Contact.contact_type == spec.contact_type, Contact.is_deleted.is_(False)]
    if group_id is not None:
        from ..groups.services import get_group, member_ids_query

        members = member_ids_query(session, get_group(session, group_id)).subquery()
        conditions.append(Contact.id.in_(select(members.c[0])))
    if contact_ids is not None:
        conditions.append(Contact.id.in_(contact_ids))
    plan = block_plan(spec)
    found = Found([], plan=plan)
    if not spec.fields:
        return found
    weights = {name: (match, weight, cutoff) for name, match, weight, cutoff in spec.fields}
    total = sum(w for _m, w, _c in weights.values())
    required_fuzzy = [
        n for n, (m, w, _c) in weights.items() if m == FUZZY and total - w < spec.threshold
    ]
    driver = min(
        required_fuzzy,
        key=lambda n: DRIVER_ORDER.index(n) if n in DRIVER_ORDER else len(DRIVER_ORDER),
        default=None,
    )
    all_blocks = [_blocks(session, key, conditions) for key in plan]
    ids = {cid for blocks in all_blocks for members in blocks.values() for cid in members}
    # an exact field of the (single) block key matches by construction: no need to load it
    keyed = (
        {n for n in plan[0] if n in weights and weights[n][0] == EXACT} if len(plan) == 1 else set()
    )
    values = _load_values(session, [n for n in weights if n not in keyed], conditions, ids)
    seen: set[tuple[int, int]] = set()
    candidates: list[tuple[int, int]] = []
    for blocks in all_blocks:
        found.blocks += len(blocks)
        for members in blocks.values():
            members = sorted(set(members))
            if len(members) < 2:
                continue
            for pair in _block_candidates(members, values, driver, weights):
                if pair not in seen:
                    seen.add(pair)
                    candidates.append(pair)
    found.candidates = len(candidates)
    exceptions = set(
        session.execute(select(DedupeException.contact_id_a, DedupeException.contact_id_b)).all()
    )
    sure = [n for n in weights if n in keyed or n == driver]  # matched by construction
    base_score = sum(weights[n][1] for n in sure)
    checks = [
        (n, values[n], m, w, c)
        for n, (m, w, c) in weights.items()
        if n not in keyed and n != driver
    ]
    memo: dict[tuple[str, str, int], bool] = {}
    pairs = []
    for a, b in candidates:
        if (a, b) in exceptions:
            continue
        score, matched = base_score, list(sure)
        for name, by_contact, match, weight, cutoff in checks:
            va, vb = by_contact.get(a), by_contact.get(b)
            if not va or not vb:
                continue
            if match == EXACT:
                ok = not va.isdisjoint(vb)
            else:
                ok = False
                for x in va:
                    for y in vb:
                        k = (x, y, cutoff) if x <= y else (y, x, cutoff)
                        hit = memo.get(k)
                        if hit is None:
                            hit = memo[k] = x == y or fuzz.ratio(x, y, score_cutoff=cutoff) > 0
                        if hit:
                            ok = True
                            break
                    if ok:
                        break
            if ok:
                score += weight
                matched.append(name)
        if score >= spec.threshold:
            pairs.append(Pair(a, b, score, tuple(n for n in weights if n in matched)))
    pairs.sort(key=lambda p: (-p.score, p.contact_a, p.contact_b))
    found.pairs = pairs
    return found


def _block_candidates(
    members: list[int], values: dict[str, dict[int, set]], driver: str | None, weights: dict
) -> Iterable[tuple[int, int]]:
    """Pairs of a block worth scoring: all of them, or those whose driver values are close."""
    if driver is None:
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                yield a, b
        return
    by_value: dict[str, list[int]] = defaultdict(list)
    for cid in members:
        for v in values[driver].get(cid, ()):
            by_value[v].append(cid)
    distinct_values = list(by_value)
    for i, j in _close_values(distinct_values, weights[driver][2]):
        left, right = by_value[distinct_values[i]], by_value[distinct_values[j]]
        for a in left:
            for b in right:
                if a < b:
                    yield a, b
                elif b < a and i != j:
                    yield b, a
