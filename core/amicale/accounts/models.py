"""Users (linked to a contact), roles made of permissions, API tokens, login throttling."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from ..clock import utcnow


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    is_active: bool = Field(default=True)
    locale: str | None = Field(default=None, max_length=10)
    # Bumped on password change or "log out everywhere": older session cookies stop working.
    session_version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class Role(SQLModel, table=True):
    __tablename__ = "role"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=120)
    description: str = Field(default="", max_length=500)
    is_system: bool = Field(default=False)  # the four built-in roles cannot be deleted


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    role_id: int = Field(foreign_key="role.id", primary_key=True, ondelete="CASCADE")


class PermissionRecord(SQLModel, table=True):
    """Every permission ever declared: granting defaults happens once, when it first appears."""

    __tablename__ = "permission"

    name: str = Field(primary_key=True, max_length=100)
    component: str = Field(max_length=64)
    first_seen_at: datetime = Field(default_factory=utcnow)


class RolePermission(SQLModel, table=True):
    __tablename__ = "role_permission"

    role_id: int = Field(foreign_key="role.id", primary_key=True, ondelete="CASCADE")
    permission: str = Field(primary_key=True, max_length=100)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class LoginAttempt(SQLModel, table=True):
    """Failed logins per key (``account:<email>`` or ``ip:<address>``)."""

    __tablename__ = "login_attempt"
    __table_args__ = (UniqueConstraint("key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300)
    failures: int = Field(default=0)
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None
