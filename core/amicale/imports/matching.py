"""Finding the existing contact of an incoming row with a duplicate rule, a batch at a time.

The rule's block keys (the same as when finding duplicates, ``dedupe.finding.block_plan``) give,
for a batch of rows, one query per key that fetches the contacts sharing a key value with some
row; their rule fields are loaded in one query per field; each row is then scored against its
candidates in Python (rapidfuzz for the fuzzy fields). Rows of the same file are remembered
too, so that the second occurrence of a person in a file finds the first one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlmodel import Session

from ..contacts.models import Contact
from ..dedupe.finding import SOURCES, RuleSpec, _key_expr, _load_values, block_plan, normalise
from ..dedupe.models import EXACT

CHUNK = 500  # values in one IN list
# Fields whose column has an index (stored lower-case or normalised): the best to look up.
INDEXED = ("email", "phone", "external_identifier", "postal_code")


def _lead_rank(name: str) -> int:
    return INDEXED.index(name) if name in INDEXED else len(INDEXED)


def _key_value(value: Any) -> str:
    """A value as the block key query computes it: lower(trim(text)) or the ISO date."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip().lower()


@dataclass
class Incoming:
    """The rule fields of one row: field -> values as they will be stored."""

    values: dict[str, list[Any]]
    ref: Any = None  # what a match on it returns (a contact id, or a pending row)
    normalised: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.normalised = {
            name: {n for n in (normalise(v) for v in vals if v not in (None, "")) if n}
            for name, vals in self.values.items()
        }


class Matcher:
    """``match(rows)`` gives, for each Incoming, the best matching contact of the database and
    its score, or None; ``recall(row)`` the best earlier row of the file (``remember``)."""

    def __init__(self, session: Session, spec: RuleSpec) -> None:
        self.session = session
        self.spec = spec
        self.plan = block_plan(spec)
        self.weights = {n: (m, w, c) for n, m, w, c in spec.fields}
        self.names = frozenset(self.weights) | {n for key in self.plan for n in key}
        # The kind and the trash written so that no index serves them: the planner starts
        # from the lead field's index (a few rows), not from every contact of the kind.
        self.conditions = [
            Contact.contact_type.concat("") == spec.contact_type,
            Contact.is_deleted.is_not(True),
        ]
        self.memory: list[dict[tuple, list[Incoming]]] = [defaultdict(list) for _ in self.plan]

    def _keys(self, row: Incoming, key: list[str]) -> list[tuple]:
        """Every block key value of a row (a row with two emails has two)."""
        combos: list[tuple] = [()]
        for name in key:
            vals = [v for v in (_key_value(x) for x in row.values.get(name, ())) if v]
            if not vals:
                return []
            combos = [c + (v,) for c in combos for v in dict.fromkeys(vals)]
        return combos

    def _score(self, row: Incoming, other: dict[str, set[str]]) -> int:
        score = 0
        for name, (match, weight, cutoff) in self.weights.items():
            mine, theirs = row.normalised.get(name), other.get(name)
            if not mine or not theirs:
                continue
            if match == EXACT:
                hit = not mine.isdisjoint(theirs)
            else:
                hit = any(
                    x == y or fuzz.ratio(x, y, score_cutoff=cutoff) > 0
                    for x in mine
                    for y in theirs
                )
            if hit:
                score += weight
        return score

    def _candidates_in_database(self, rows: list[Incoming]) -> dict[int, list[set[int]]]:
        """For each block key of the plan: row index -> contact ids sharing its key."""
        found: dict[int, set[int]] = defaultdict(set)
        for key in self.plan:
            wanted: dict[tuple, list[int]] = defaultdict(list)
            for i, row in enumerate(rows):
                for k in self._keys(row, key):
                    wanted[k].append(i)
            if not wanted:
                continue
            lead = min(range(len(key)), key=lambda n: _lead_rank(key[n]))
            lead_values = sorted({k[lead] for k in wanted})
            _model, lead_column = SOURCES[key[lead]]
            for start in range(0, len(lead_values), CHUNK):
                chunk = lead_values[start : start + CHUNK]
                query = select(Contact.id).where(*self.conditions)
                joined = set()
                exprs = []
                for name in key:
                    m, col = SOURCES[name]
                    if m is not Contact and m not in joined:
                        query = query.join(m, m.contact_id == Contact.id)
                        joined.add(m)
                    exprs.append(_key_expr(col))
                if key[lead] in INDEXED:
                    # the stored value as such, so that its index serves the IN list
                    # emails are stored lower-case, phones as E.164; codes may be in capitals
                    variants = {v for x in chunk for v in (x, x.upper())}
                    narrowed = lead_column.in_(sorted(variants))
                else:
                    narrowed = exprs[lead].in_(chunk)
                query = query.add_columns(*exprs).where(narrowed)
                for cid, *vals in self.session.execute(query):
                    for i in wanted.get(tuple(vals), ()):
                        found[i].add(cid)
        return found

    def match(self, rows: list[Incoming]) -> list[tuple[Any, int] | None]:
        if not rows or not self.spec.fields:
            return [None] * len(rows)
        in_db = self._candidates_in_database(rows)
        ids = {cid for cids in in_db.values() for cid in cids}
        values = _load_values(self.session, list(self.weights), self.conditions, ids) if ids else {}
        by_contact: dict[int, dict[str, set[str]]] = defaultdict(dict)
        for name, per_contact in values.items():
            for cid, vals in per_contact.items():
                by_contact[cid][name] = vals
        out: list[tuple[Any, int] | None] = []
        for i, row in enumerate(rows):
            best: tuple[Any, int] | None = None
            for cid in sorted(in_db.get(i, ())):
                score = self._score(row, by_contact.get(cid, {}))
                if score >= self.spec.threshold and (best is None or score > best[1]):
                    best = (cid, score)
            out.append(best)
        return out

    def recall(self, row: Incoming) -> tuple[Any, int] | None:
        """The best earlier row of the file (remembered) that ``row`` duplicates."""
        best: tuple[Any, int] | None = None
        for n, key in enumerate(self.plan):
            for k in self._keys(row, key):
                for earlier in self.memory[n].get(k, ()):
                    score = self._score(row, earlier.normalised)
                    if score >= self.spec.threshold and (best is None or score > best[1]):
                        best = (earlier.ref, score)
        return best

    def remember(self, row: Incoming) -> None:
        """Keep a row that will be created, for the rows after it in the file."""
        for n, key in enumerate(self.plan):
            for k in self._keys(row, key):
                self.memory[n][k].append(row)
