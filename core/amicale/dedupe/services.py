"""The rules of duplicates: the admin's duplicate rules, pairs marked "not a duplicate", the
list of likely duplicates, and merging two contacts (field by field, their details, every
area's rows through the ``merge_contacts`` hook, the other one to the trash) in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlmodel import Session

from ..changelog.services import record
from ..contacts import services as contacts
from ..contacts.models import Address, Contact, ContactType, Email, Phone, Website
from ..customfields import services as custom
from ..errors import Conflict, NotFound, ValidationError
from .finding import Found, Pair, RuleSpec, find_pairs, normalise
from .models import DedupeException, DedupeMerge, DedupeRule, DedupeRuleField
from .schemas import RuleSchema

# The contact's own fields a merge chooses between (the type never changes).
MERGE_FIELDS = [f for f in contacts.CONTACT_FIELDS if f != "contact_type"]
FLAGS = {"do_not_email", "do_not_phone", "do_not_mail", "do_not_sms", "is_opt_out", "is_deceased"}
DETAILS = {"emails": Email, "phones": Phone, "addresses": Address, "websites": Website}
# A loser's detail equal to one of the winner's is not moved (it would be there twice).
SAME_DETAIL = {
    "emails": lambda r: r.email,
    "phones": lambda r: r.phone_normalized,
    "addresses": lambda r: (
        normalise(r.street_address),
        normalise(r.postal_code),
        normalise(r.city),
        r.country,
    ),
    "websites": lambda r: r.url.strip().lower(),
}
# Fields that make sense for each kind of contact (in rules).
TYPE_FIELDS = {
    ContactType.INDIVIDUAL.value: {"first_name", "last_name", "birth_date"},
    ContactType.ORGANIZATION.value: {"organization_name"},
    ContactType.HOUSEHOLD.value: {"household_name"},
}
NAME_FIELDS = {"first_name", "last_name", "birth_date", "organization_name", "household_name"}


def field_labels() -> dict[str, str]:
    """Labels of the fields a rule or a merge shows (the contact form's own words)."""
    return {
        "prefix": _("Title"),
        "first_name": _("First name"),
        "middle_name": _("Middle name"),
        "last_name": _("Last name"),
        "suffix": _("Suffix"),
        "nick_name": _("Nickname"),
        "organization_name": _("Organisation name"),
        "household_name": _("Household name"),
        "legal_name": _("Legal name"),
        "job_title": _("Job title"),
        "gender": _("Gender"),
        "birth_date": _("Birth date"),
        "deceased_date": _("Deceased on"),
        "is_deceased": _("Deceased"),
        "preferred_language": _("Preferred language"),
        "external_identifier": _("External identifier"),
        "source": _("Source"),
        "do_not_email": _("Does not want emails"),
        "do_not_phone": _("Does not want phone calls"),
        "do_not_mail": _("Does not want postal mail"),
        "do_not_sms": _("Does not want SMS"),
        "is_opt_out": _("No bulk mail"),
        "email": _("Email"),
        "phone": _("Phone"),
        "postal_code": _("Postal code"),
        "city": _("City"),
        "street_address": _("Street address"),
    }


# -- rules ---------------------------------------------------------------------------------------


def rule_label(rule: DedupeRule) -> str:
    """A seeded rule's name in the user's language; an admin's rule as typed."""
    return _(rule.name) if rule.is_reserved else rule.name


def list_rules(session: Session, contact_type: str | None = None) -> list[DedupeRule]:
    query = select(DedupeRule).order_by(
        DedupeRule.contact_type, DedupeRule.is_default.desc(), DedupeRule.id
    )
    if contact_type:
        query = query.where(DedupeRule.contact_type == contact_type)
    return list(session.execute(query).scalars())


def get_rule(session: Session, rule_id: int) -> DedupeRule:
    rule = session.get(DedupeRule, rule_id)
    if rule is None:
        raise NotFound(_("No duplicate rule with the number %(id)s.", id=rule_id))
    return rule


def find_rule(session: Session, name_or_id: str) -> DedupeRule:
    """A rule by its number or its name (as stored or as shown)."""
    if str(name_or_id).isdigit():
        return get_rule(session, int(name_or_id))
    for rule in list_rules(session):
        if name_or_id.strip().lower() in {rule.name.lower(), rule_label(rule).lower()}:
            return rule
    raise NotFound(_("No duplicate rule named %(name)s.", name=name_or_id))


def default_rule(session: Session, contact_type: str = ContactType.INDIVIDUAL.value) -> DedupeRule:
    rules = list_rules(session, contact_type)
    if not rules:
        raise NotFound(_("There is no duplicate rule for this kind of contact."))
    return rules[0]  # the default one first


def rule_fields(session: Session, rule_ids: list[int]) -> dict[int, list[DedupeRuleField]]:
    out: dict[int, list[DedupeRuleField]] = {i: [] for i in rule_ids}
    for f in session.execute(
        select(DedupeRuleField)
        .where(DedupeRuleField.rule_id.in_(rule_ids))
        .order_by(DedupeRuleField.id)
    ).scalars():
        out[f.rule_id].append(f)
    return out


def represent_rules(session: Session, rules: list[DedupeRule]) -> list[dict[str, Any]]:
    fields = rule_fields(session, [r.id for r in rules])
    return [
        {
            "id": r.id,
            "name": rule_label(r),
            "contact_type": r.contact_type,
            "threshold": r.threshold,
            "is_default": r.is_default,
            "is_reserved": r.is_reserved,
            "fields": [
                {"field": f.field, "match": f.match, "weight": f.weight, "cutoff": f.cutoff}
                for f in fields[r.id]
            ],
        }
        for r in rules
    ]


def save_rule(session: Session, data: dict[str, Any], rule_id: int | None = None) -> DedupeRule:
    """Create a rule or replace one's definition; ValidationError (every field's message)
    and nothing saved on bad input."""
    from ..api_for_plugins import load_input

    rule = get_rule(session, rule_id) if rule_id is not None else None
    values = load_input(RuleSchema(), data)
    errors: dict[str, list[str]] = {}
    name = values["name"].strip()
    if not name:
        errors["name"] = [_("A name is needed.")]
    other = session.execute(select(DedupeRule.id).where(DedupeRule.name == name)).scalar()
    if other is not None and other != rule_id:
        errors["name"] = [_("This name is already used.")]
    contact_type = rule.contact_type if rule else values["contact_type"]
    rows = values["rule_fields"]
    if not rows:
        errors["fields"] = [_("Choose at least one field.")]
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if row["field"] in seen:
            errors[f"fields.{i}.field"] = [_("This field is already in the rule.")]
        seen.add(row["field"])
        wrong_type = row["field"] in NAME_FIELDS and row["field"] not in TYPE_FIELDS[contact_type]
        if wrong_type:
            errors[f"fields.{i}.field"] = [_("This field does not apply to this kind of contact.")]
    if rows and values["threshold"] > sum(r["weight"] for r in rows):
        errors["threshold"] = [
            _("The threshold is above the weights of all the fields together: nothing would match.")
        ]
    if errors:
        raise ValidationError(_("Some fields are not valid."), errors=errors)
    if rule is None:
        rule = DedupeRule(contact_type=contact_type, name=name, threshold=values["threshold"])
        session.add(rule)
    rule.name = name if not (rule.is_reserved and name == rule_label(rule)) else rule.name
    rule.threshold = values["threshold"]
    rule.is_default = values["is_default"]
    session.flush()
    if rule.is_default:
        session.execute(
            update(DedupeRule)
            .where(DedupeRule.contact_type == contact_type, DedupeRule.id != rule.id)
            .values(is_default=False)
        )
    session.execute(delete(DedupeRuleField).where(DedupeRuleField.rule_id == rule.id))
    for row in rows:
        session.add(DedupeRuleField(rule_id=rule.id, **row))
    session.flush()
    return rule


def delete_rule(session: Session, rule_id: int) -> None:
    rule = get_rule(session, rule_id)
    if rule.is_reserved:
        raise Conflict(_("A built-in rule cannot be deleted; change its fields instead."))
    session.delete(rule)
    session.flush()


# -- finding -------------------------------------------------------------------------------------


def find_duplicates(session: Session, rule: DedupeRule, *, group_id: int | None = None) -> Found:
    return find_pairs(session, RuleSpec.of(session, rule), group_id=group_id)


def describe_pairs(session: Session, pairs: list[Pair]) -> list[dict[str, Any]]:
    """Pairs as the list shows them: both contacts' names, score, matched fields, conflicts."""
    ids = {i for p in pairs for i in (p.contact_a, p.contact_b)}
    names = dict(
        session.execute(select(Contact.id, Contact.display_name).where(Contact.id.in_(ids))).all()
    )
    conflicts = find_conflicts(session, [(p.contact_a, p.contact_b) for p in pairs])
    return [
        {
            "contact_a": {"id": p.contact_a, "display_name": names.get(p.contact_a, "")},
            "contact_b": {"id": p.contact_b, "display_name": names.get(p.contact_b, "")},
            "score": p.score,
            "matched": list(p.matched),
            "conflicts": conflicts.get((p.contact_a, p.contact_b), []),
        }
        for p in pairs
    ]


def mark_not_duplicate(session: Session, contact_a: int, contact_b: int, *, user_id=None) -> None:
    """Never propose this pair again (either order)."""
    if contact_a == contact_b:
        raise ValidationError(_("Choose two different contacts."), field="contact_id_b")
    a, b = sorted((contacts.get_contact(session, contact_a).id, contact_b))
    contacts.get_contact(session, contact_b)
    exists = session.execute(
        select(DedupeException.id).where(
            DedupeException.contact_id_a == a, DedupeException.contact_id_b == b
        )
    ).scalar()
    if exists is None:
        session.add(DedupeException(contact_id_a=a, contact_id_b=b, user_id=user_id))
        session.flush()


def _empty(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, str) and not value.strip())


def _differ(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return normalise(a) != normalise(b)
    return a != b


def find_conflicts(
    session: Session, pairs: list[tuple[int, int]]
) -> dict[tuple[int, int], list[str]]:
    """For each pair, the fields where both contacts have different, non-empty values (own
    fields and custom fields): what a merge without a person cannot decide. Three queries."""
    if not pairs:
        return {}
    ids = sorted({i for p in pairs for i in p})
    out: dict[tuple[int, int], list[str]] = {}
    by_id: dict[int, Contact] = {}
    customs: dict[int, dict] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        by_id.update(
            {
                c.id: c
                for c in session.execute(select(Contact).where(Contact.id.in_(chunk))).scalars()
            }
        )
        customs.update(custom.values_for(session, "contact", chunk))
    for a, b in pairs:
        ca, cb = by_id.get(a), by_id.get(b)
        if ca is None or cb is None:
            continue
        found = [
            f
            for f in MERGE_FIELDS
            if f not in FLAGS
            and not _empty(getattr(ca, f))
            and not _empty(getattr(cb, f))
            and _differ(getattr(ca, f), getattr(cb, f))
        ]
        va, vb = customs.get(a, {}), customs.get(b, {})
        found += [
            f"custom.{k}"
            for k in sorted(set(va) & set(vb))
            if not _empty(va[k]) and not _empty(vb[k]) and _differ(va[k], vb[k])
        ]
        out[(a, b)] = found
    return out


# -- merging -------------------------------------------------------------------------------------


def merged_into(session: Session, contact_id: int) -> Contact | None:
    """The contact a merged (trashed) contact went into, or None."""
    winner_id = session.execute(
        select(DedupeMerge.winner_id).where(DedupeMerge.loser_id == contact_id)
    ).scalar()
    return session.get(Contact, winner_id) if winner_id is not None else None


@dataclass
class MergePlan:
    fields: list[str] = field(default_factory=list)  # taken from the loser
    custom: list[str] = field(default_factory=list)  # custom fields taken from the loser
    keep: dict[str, list[int] | None] = field(default_factory=dict)  # None: all
    primary: dict[str, int] = field(default_factory=dict)  # kind -> the record made primary


PRIMARY_KINDS = ("emails", "phones", "addresses")


def _check_choices(
    session: Session, loser: Contact, choices: Any, winner_id: int | None = None
) -> MergePlan:
    if not isinstance(choices, dict):
        raise ValidationError(
            _("Some fields are not valid."), errors={"choices": [_("Not valid.")]}
        )
    plan = MergePlan()
    errors: dict[str, list[str]] = {}
    loser_custom = custom.values_for(session, "contact", [loser.id]).get(loser.id, {})
    sides = ("winner", "loser")
    for key, value in choices.items():
        where = f"choices.{key}"
        if key.startswith("primary.") and key.removeprefix("primary.") in PRIMARY_KINDS:
            kind = key.removeprefix("primary.")
            model = DETAILS[kind]
            if value in (None, ""):
                continue
            owner = (
                session.execute(select(model.contact_id).where(model.id == value)).scalar()
                if isinstance(value, int) and not isinstance(value, bool)
                else None
            )
            if owner is None or owner not in (loser.id, winner_id):
                errors[where] = [_("Choose one of the two contacts' records.")]
            else:
                plan.primary[kind] = value
            continue
        if key in DETAILS:
            if value in (None, "all"):
                plan.keep[key] = None
                continue
            if value == "none":
                value = []
            if not isinstance(value, list) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in value
            ):
                errors[where] = [_("Give the numbers of the records to keep.")]
                continue
            model = DETAILS[key]
            own = set(
                session.execute(
                    select(model.id).where(model.contact_id == loser.id, model.id.in_(value))
                ).scalars()
            )
            wrong = [str(v) for v in value if v not in own]
            if wrong:
                errors[where] = [
                    _("These records are not the other contact's: %(ids)s", ids=", ".join(wrong))
                ]
            plan.keep[key] = list(value)
        elif value not in sides:
            errors[where] = [_("Choose winner or loser.")]
        elif key.startswith("custom."):
            name = key.removeprefix("custom.")
            known = custom.definitions_for(session, "contact", loser.contact_type, ())
            names = {f.name for _g, fields in known for f in fields}
            if name not in names and name not in loser_custom:
                errors[where] = [_("Unknown field.")]
            elif value == "loser":
                plan.custom.append(name)
        elif key in MERGE_FIELDS:
            if value == "loser":
                plan.fields.append(key)
        else:
            errors[where] = [_("Unknown field.")]
    if errors:
        raise ValidationError(_("Some fields are not valid."), errors=errors)
    return plan


def _as_input(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _move_details(
    session: Session, winner: Contact, loser: Contact, plan: MergePlan, user_id: int | None
) -> None:
    """Move the loser's chosen emails, phones, addresses and websites to the winner, except
    those the winner already has; the winner keeps one primary of each kind."""
    for kind, model in DETAILS.items():
        keep = plan.keep.get(kind)
        rows = list(
            session.execute(
                select(model).where(model.contact_id.in_([winner.id, loser.id])).order_by(model.id)
            ).scalars()
        )
        mine = [r for r in rows if r.contact_id == winner.id]
        theirs = [r for r in rows if r.contact_id == loser.id and (keep is None or r.id in keep)]
        same = SAME_DETAIL[kind]
        have = {same(r) for r in mine}
        moving = []
        for r in theirs:
            if same(r) not in have:
                have.add(same(r))
                moving.append(r)
        if not moving:
            continue
        has_primary = any(getattr(r, "is_primary", False) for r in mine)
        ids = [r.id for r in moving]
        values: dict[str, Any] = {"contact_id": winner.id}
        if hasattr(model, "is_primary"):
            values["is_primary"] = False
        session.execute(update(model).where(model.id.in_(ids)).values(**values))
        if hasattr(model, "is_primary") and not has_primary:
            session.execute(update(model).where(model.id == ids[0]).values(is_primary=True))
        entity = contacts.ENTITY_NAMES[kind]
        for r in moving:
            record(
                session,
                contact_id=winner.id,
                entity=entity,
                entity_id=r.id,
                action="update",
                changes={"contact_id": (loser.id, winner.id)},
                user_id=user_id,
            )
        session.expire_all()


def _set_primaries(session: Session, winner: Contact, plan: MergePlan, user_id: int | None) -> None:
    """Make the chosen records primary (one that did not move with the merge is ignored)."""
    for kind, chosen in plan.primary.items():
        model = DETAILS[kind]
        rows = list(session.execute(select(model).where(model.contact_id == winner.id)).scalars())
        if chosen not in {r.id for r in rows}:
            continue
        for r in rows:
            if r.is_primary != (r.id == chosen):
                record(
                    session,
                    contact_id=winner.id,
                    entity=contacts.ENTITY_NAMES[kind],
                    entity_id=r.id,
                    action="update",
                    changes={"is_primary": (r.is_primary, r.id == chosen)},
                    user_id=user_id,
                )
                r.is_primary = r.id == chosen
        session.flush()


def merge_contacts(
    session: Session,
    winner_id: int,
    loser_id: int,
    choices: dict[str, Any] | None = None,
    *,
    user_id: int | None = None,
) -> Contact:
    """Merge contact ``loser_id`` into ``winner_id``, in the caller's transaction.

    ``choices``: ``{field: "loser"}`` takes the loser's value of a contact field (the winner's
    is kept otherwise), ``{"custom.<name>": "loser"}`` the same for a custom field; ``{"emails":
    [ids]}`` (phones, addresses, websites) which of the loser's records move (all by default;
    ``[]`` none); ``{"primary.emails": id}`` (phones, addresses) the record, of either contact,
    that becomes the primary one. Then every area moves its rows (``merge_contacts`` hook), the loser goes to
    the trash with a link to the winner, and the change log of both records the merge. Raises
    ValidationError (bad choices), NotFound, Conflict (a contact in the trash); any error
    leaves the caller to roll back, and nothing is changed.
    """
    from ..plugins import hook

    if winner_id == loser_id:
        raise ValidationError(_("A contact cannot be merged with itself."), field="loser_id")
    winner = contacts.get_contact(session, winner_id)
    loser = contacts.get_contact(session, loser_id)
    for c in (winner, loser):
        if c.is_deleted:
            raise Conflict(
                _("%(name)s is in the trash: restore it before merging.", name=c.display_name)
            )
    if winner.contact_type != loser.contact_type:
        raise ValidationError(_("Only contacts of the same kind can be merged."), field="loser_id")
    plan = _check_choices(session, loser, choices or {}, winner.id)
    data: dict[str, Any] = {f: _as_input(getattr(loser, f)) for f in plan.fields}
    if plan.custom:
        loser_custom = custom.values_for(session, "contact", [loser.id]).get(loser.id, {})
        data["custom"] = {n: loser_custom.get(n) for n in plan.custom}
    if data.get("external_identifier"):
        loser.external_identifier = None  # unique: free it before the winner takes it
        session.flush()
    loser_name, winner_name = loser.display_name, winner.display_name
    if data:
        contacts.update_contact(session, winner.id, data, user_id=user_id)
    _move_details(session, winner, loser, plan, user_id)
    _set_primaries(session, winner, plan, user_id)
    hook.merge_contacts(winner_id=winner.id, loser_id=loser.id, session=session)
    contacts.trash_contact(session, loser.id, user_id=user_id)
    session.add(DedupeMerge(winner_id=winner.id, loser_id=loser.id, user_id=user_id))
    record(
        session,
        contact_id=winner.id,
        entity="contact",
        entity_id=winner.id,
        action="merge",
        changes={"merged_from": (None, f"{loser_name} (n° {loser.id})")},
        user_id=user_id,
    )
    record(
        session,
        contact_id=loser.id,
        entity="contact",
        entity_id=loser.id,
        action="merge",
        changes={"merged_into": (None, f"{winner_name} (n° {winner.id})")},
        user_id=user_id,
    )
    session.flush()
    return contacts.get_contact(session, winner.id)


def safe_choices(winner: Contact, loser: Contact) -> dict[str, str]:
    """For a pair without conflict: take the loser's values where the winner has none (and
    its "do not contact" flags when set, so no wish is lost)."""
    return {
        f: "loser"
        for f in MERGE_FIELDS
        if _empty(getattr(winner, f)) and not _empty(getattr(loser, f))
    }


@dataclass
class BatchResult:
    merged: list[tuple[int, int]] = field(default_factory=list)  # (winner, loser)
    skipped: list[tuple[int, int, str]] = field(default_factory=list)  # (a, b, why)


def batch_merge(
    session: Session,
    rule: DedupeRule,
    *,
    group_id: int | None = None,
    user_id: int | None = None,
    limit: int | None = None,
) -> BatchResult:
    """Merge the pairs of a rule that have no conflict, the older contact (smaller number)
    kept; each pair in a savepoint, so one refused pair leaves the others merged. Pairs with a
    conflict, or whose contact was merged already in this batch, are skipped and listed."""
    from ..errors import DomainError

    pairs = find_duplicates(session, rule, group_id=group_id).pairs
    conflicts = find_conflicts(session, [(p.contact_a, p.contact_b) for p in pairs])
    result = BatchResult()
    gone: set[int] = set()
    for p in pairs:
        a, b = p.contact_a, p.contact_b
        if limit is not None and len(result.merged) >= limit:
            break
        if conflicts.get((a, b)):
            result.skipped.append((a, b, ", ".join(conflicts[(a, b)])))
            continue
        if a in gone or b in gone:
            result.skipped.append((a, b, _("already merged")))
            continue
        try:
            with session.begin_nested():
                winner, loser = session.get(Contact, a), session.get(Contact, b)
                merge_contacts(session, a, b, safe_choices(winner, loser), user_id=user_id)
        except DomainError as exc:
            result.skipped.append((a, b, exc.message))
            continue
        gone.add(b)
        result.merged.append((a, b))
    return result
