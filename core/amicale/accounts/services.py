"""Rules for accounts: creating users, checking passwords with throttling, roles, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from ..clock import utcnow
from ..errors import Conflict, NotFound, ValidationError
from ..hooktypes import Permission
from .models import ApiKey, LoginAttempt, PermissionRecord, Role, RolePermission, User, UserRole
from .permissions import ADMINISTRATOR, SYSTEM_ROLES

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "amc_"

# Throttling: after SLOW_AFTER failures an account must wait (1 s, 2 s, 4 s, ... between tries);
# at LOCK_AFTER failures it is locked for LOCK_MINUTES. The same per address, with more room.
ACCOUNT_SLOW_AFTER, ACCOUNT_LOCK_AFTER = 3, 10
ADDRESS_SLOW_AFTER, ADDRESS_LOCK_AFTER = 10, 30
LOCK_MINUTES = 15


# -- passwords and users -------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str | None, field: str = "password") -> str:
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            str(_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)),
            field=field,
        )
    return password


def normalise_email(email: str | None, field: str = "email") -> str:
    try:
        return validate_email(email or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationError(
            str(_l("This is not a valid email address: %(reason)s", reason=str(exc))), field=field
        ) from exc


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(str(_l("No such user.")))
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.execute(select(User).where(User.email == email.strip().lower())).scalar()


def create_user(
    session: Session,
    email: str,
    password: str,
    roles: Iterable[str] = ("staff",),
    *,
    first_name: str | None = None,
    last_name: str | None = None,
    locale: str | None = None,
) -> User:
    """Create a staff user and the contact that represents them."""
    email = normalise_email(email)
    check_password_rules(password)
    role_rows = _roles_by_name(session, roles)
    if find_user(session, email) is not None:
        raise Conflict(str(_l("A user with this email already exists.")), field="email")
    from ..contacts.services import create_contact

    contact = create_contact(
        session,
        {
            "first_name": first_name or None,
            "last_name": last_name or (None if first_name else email.split("@")[0]),
            "emails": [{"email": email, "location_type": "Work"}],
        },
    )
    user = User(
        email=email, password_hash=hash_password(password), contact_id=contact.id, locale=locale
    )
    session.add(user)
    session.flush()
    for role in role_rows:
        session.add(UserRole(user_id=user.id, role_id=role.id))
    session.flush()
    return user


def update_user(
    session: Session,
    user: User,
    *,
    roles: Iterable[str] | None = None,
    is_active: bool | None = None,
    locale: str | None = None,
    password: str | None = None,
    acting_user: User | None = None,
) -> User:
    if roles is not None:
        role_rows = _roles_by_name(session, roles)
        if acting_user is not None and acting_user.id == user.id:
            if ADMINISTRATOR not in {r.name for r in role_rows} and _is_admin(session, user):
                raise ValidationError(
                    str(_l("You cannot remove your own Administrator role.")), field="roles"
                )
        if ADMINISTRATOR not in {r.name for r in role_rows} and _is_last_admin(session, user):
            raise ValidationError(
                str(_l("This is the last active administrator; keep the role.")), field="roles"
            )
        session.execute(delete(UserRole).where(UserRole.user_id == user.id))
        for role in role_rows:
            session.add(UserRole(user_id=user.id, role_id=role.id))
    if is_active is not None and not is_active and user.is_active:
        if acting_user is not None and acting_user.id == user.id:
            raise ValidationError(str(_l("You cannot deactivate yourself.")), field="is_active")
        if _is_last_admin(session, user):
            raise ValidationError(
                str(_l("This is the last active administrator.")), field="is_active"
            )
    if is_active is not None:
        user.is_active = is_active
        if not is_active:
            user.session_version += 1
    if locale is not None:
        user.locale = locale or None
    if password:
        set_password(session, user, password)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.session_version += 1  # other sessions of this user end
    session.flush()


def _roles_by_name(session: Session, names: Iterable[str]) -> list[Role]:
    names = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    rows = session.execute(select(Role).where(Role.name.in_(names))).scalars().all()
    missing = sorted(set(names) - {r.name for r in rows})
    if missing:
        known = ", ".join(session.execute(select(Role.name).order_by(Role.name)).scalars())
        raise ValidationError(
            str(
                _l(
                    "Unknown role: %(names)s (roles: %(known)s).",
                    names=", ".join(missing),
                    known=known,
                )
            ),
            field="roles",
        )
    return rows


def _is_admin(session: Session, user: User) -> bool:
    return ADMINISTRATOR in user_role_names_in(session, user.id)


def user_role_names_in(session: Session, user_id: int) -> set[str]:
    return set(
        session.execute(
            select(Role.name)
            .join(UserRole, UserRole.role_id == Role.id)
            .where(UserRole.user_id == user_id)
        ).scalars()
    )


def _is_last_admin(session: Session, user: User) -> bool:
    if not user.is_active or not _is_admin(session, user):
        return False
    count = session.execute(
        select(func.count())
        .select_from(User)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Role, Role.id == UserRole.role_id)
        .where(Role.name == ADMINISTRATOR, User.is_active)
    ).scalar_one()
    return count <= 1


# -- login with throttling -----------------------------------------------------------------------


class LoginRefused(ValidationError):
    """Wrong credentials, or too many attempts: ``message`` says which and what to do."""


def authenticate(
    session: Session, email: str, password: str, address: str | None, now: datetime | None = None
) -> User:
    """Return the user whose email and password match, or raise LoginRefused.

    Failed attempts are counted per account and per address; past a few they slow down, then
    lock for a while. The counters are written even when the login is refused.
    """
    now = now or utcnow()
    email = (email or "").strip().lower()
    keys = [f"account:{email}", f"ip:{address or 'unknown'}"]
    attempts = {
        a.key: a
        for a in session.execute(select(LoginAttempt).where(LoginAttempt.key.in_(keys))).scalars()
    }
    for key, slow in (
        (keys[0], ACCOUNT_SLOW_AFTER),
        (keys[1], ADDRESS_SLOW_AFTER),
    ):
        wait = _wait_needed(attempts.get(key), slow, now)
        if wait:
            raise LoginRefused(_wait_message(wait))
    user = find_user(session, email) if email else None
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.is_active:
        for key, lock in ((keys[0], ACCOUNT_LOCK_AFTER), (keys[1], ADDRESS_LOCK_AFTER)):
            _record_failure(session, attempts.get(key), key, lock, now)
        session.flush()
        raise LoginRefused(str(_l("Wrong email or password.")))
    if attempts.get(keys[0]) is not None:
        session.delete(attempts[keys[0]])
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.flush()
    return user


def _wait_needed(attempt: LoginAttempt | None, slow_after: int, now: datetime) -> int:
    """Seconds to wait before the next try is heard (0: go ahead)."""
    if attempt is None:
        return 0
    if attempt.locked_until and attempt.locked_until > now:
        return int((attempt.locked_until - now).total_seconds()) + 1
    if attempt.failures >= slow_after and attempt.last_failure_at:
        delay = timedelta(seconds=2 ** (attempt.failures - slow_after))
        ready = attempt.last_failure_at + delay
        if ready > now:
            return int((ready - now).total_seconds()) + 1
    return 0


def _record_failure(
    session: Session, attempt: LoginAttempt | None, key: str, lock_after: int, now: datetime
) -> None:
    if attempt is None:
        attempt = LoginAttempt(key=key, failures=0)
        session.add(attempt)
    elif attempt.locked_until and attempt.locked_until <= now:
        attempt.failures = 0  # a served lock starts a new count
        attempt.locked_until = None
    elif attempt.last_failure_at and now - attempt.last_failure_at > timedelta(hours=24):
        attempt.failures = 0
    attempt.failures += 1
    attempt.last_failure_at = now
    if attempt.failures >= lock_after:
        attempt.locked_until = now + timedelta(minutes=LOCK_MINUTES)


def _wait_message(seconds: int) -> str:
    if seconds > 90:
        minutes = (seconds + 59) // 60
        return str(_l("Too many failed attempts: try again in %(n)d minutes.", n=minutes))
    return str(_l("Too many failed attempts: try again in %(n)d seconds.", n=seconds))


# -- roles and permissions -----------------------------------------------------------------------


def ensure_system_roles(session: Session) -> None:
    existing = set(session.execute(select(Role.name)).scalars())
    for name, label in SYSTEM_ROLES.items():
        if name not in existing:
            session.add(Role(name=name, label=label, is_system=True))
    session.flush()


def sync_permissions(session: Session, component: str, permissions: Iterable[Permission]) -> None:
    """Record newly declared permissions and grant them to their default roles, once."""
    permissions = list(permissions)
    known = set(
        session.execute(
            select(PermissionRecord.name).where(
                PermissionRecord.name.in_([p.name for p in permissions])
            )
        ).scalars()
    )
    new = [p for p in permissions if p.name not in known]
    if not new:
        return
    roles = {r.name: r.id for r in session.execute(select(Role)).scalars()}
    for perm in new:
        session.add(PermissionRecord(name=perm.name, component=component))
        for role_name in perm.default_roles:
            if role_name in roles and role_name != ADMINISTRATOR:
                session.add(RolePermission(role_id=roles[role_name], permission=perm.name))
    session.flush()


def role_permissions(session: Session) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for role_id, perm in session.execute(select(RolePermission.role_id, RolePermission.permission)):
        out.setdefault(role_id, set()).add(perm)
    return out


def set_role_permissions(
    session: Session, role: Role, permissions: Iterable[str], declared: set[str]
) -> None:
    permissions = set(permissions)
    unknown = permissions - declared
    if unknown:
        raise ValidationError(
            str(_l("Unknown permission: %(names)s", names=", ".join(sorted(unknown)))),
            field="permissions",
        )
    if role.name == ADMINISTRATOR:
        raise ValidationError(str(_l("Administrators always have every permission.")))
    session.execute(delete(RolePermission).where(RolePermission.role_id == role.id))
    for perm in sorted(permissions):
        session.add(RolePermission(role_id=role.id, permission=perm))
    session.flush()


def create_role(session: Session, name: str, label: str, description: str = "") -> Role:
    name = (name or "").strip().lower()
    if not name or not name.replace("_", "").isalnum():
        raise ValidationError(
            str(_l("Use letters, digits and underscores for the role's name.")), field="name"
        )
    if not (label or "").strip():
        raise ValidationError(str(_l("The role needs a label.")), field="label")
    if session.execute(select(Role).where(Role.name == name)).scalar():
        raise Conflict(str(_l("A role with this name already exists.")), field="name")
    role = Role(name=name, label=label.strip(), description=(description or "").strip())
    session.add(role)
    session.flush()
    return role


# -- API tokens ----------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiKey, str]:
    """Make a personal API token; the token itself is returned once and stored only hashed."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(str(_l("Give the token a name.")), field="name")
    if len(name) > 120:
        raise ValidationError(str(_l("The name is too long.")), field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(user_id=user.id, name=name, prefix=token[:12], token_hash=_digest(token))
    session.add(key)
    session.flush()
    return key, token


def revoke_token(session: Session, user: User, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or key.user_id != user.id:
        raise NotFound(str(_l("No such token.")))
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key


def user_tokens(session: Session, user: User) -> list[ApiKey]:
    return list(
        session.execute(
            select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.created_at.desc())
        ).scalars()
    )


def user_for_token(session: Session, token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(
        select(ApiKey, User)
        .join(User, User.id == ApiKey.user_id)
        .where(ApiKey.token_hash == _digest(token), ApiKey.revoked_at.is_(None))
    ).first()
    if row is None or not row[1].is_active:
        return None
    key, user = row
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=5):
        # written at most every few minutes, not on every call; a note, not worth an error when
        # SQLite is busy with another writer (many calls at once): the next call writes it
        key.last_used_at = now
        try:
            session.commit()
        except OperationalError:
            session.rollback()
            user = session.get(User, user.id)
    return user


def merge_contact_users(session: Session, winner_id: int, loser_id: int) -> None:
    """Two contacts merged: a staff user linked to the loser is now linked to the winner."""
    from sqlalchemy import update

    session.execute(update(User).where(User.contact_id == loser_id).values(contact_id=winner_id))
