"""Login, logout, one's own account and API tokens, and the admin pages for users and roles."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask import session as http_session
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..components.state import enabled_components
from ..contacts.models import Contact
from ..db import session
from ..errors import DomainError
from . import services
from .forms import (
    LoginForm,
    PasswordForm,
    ProfileForm,
    RoleForm,
    RolePermissionsForm,
    TokenForm,
    UserForm,
)
from .models import Role, User, UserRole
from .permissions import ADMINISTRATOR, login_only, permission_required, public

bp = Blueprint("accounts", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("web.dashboard")


def _form_error(form, exc: DomainError) -> None:
    placed = False
    for field, messages in (exc.errors or {}).items():
        if field in form:
            form[field].errors = list(form[field].errors) + list(messages)
            placed = True
    if not placed:
        flash(exc.message, "error")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        s = session()
        try:
            user = services.authenticate(
                s, form.email.data, form.password.data, request.remote_addr
            )
        except services.LoginRefused as exc:
            s.commit()  # the failure counters are kept
            flash(exc.message, "error")
            return render_template("accounts/login.html", form=form), 401
        s.commit()
        login_user(user, remember=form.remember.data)
        http_session.pop("locale", None)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_only
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Anonymous visitors choose the language of the public pages."""
    from ..i18n import LOCALES

    locale = request.form.get("locale")
    if locale in LOCALES:
        http_session["locale"] = locale
    return redirect(_safe_next(request.form.get("next")))


# -- one's own account ---------------------------------------------------------------------------


@bp.route("/account", methods=["GET", "POST"])
@login_only
def account():
    s = session()
    user = s.get(User, current_user.id)
    profile = ProfileForm(prefix="profile", locale=user.locale or "fr")
    password = PasswordForm(prefix="password")
    token_form = TokenForm(prefix="token")
    new_token = None
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "profile" and profile.validate_on_submit():
                services.update_user(s, user, locale=profile.locale.data)
                s.commit()
                flash(_("Your preferences are saved."), "success")
                return redirect(url_for("accounts.account"))
            if action == "password" and password.validate_on_submit():
                services.authenticate(
                    s, user.email, password.current_password.data, request.remote_addr
                )
                services.set_password(s, user, password.new_password.data)
                s.commit()
                login_user(user)  # this session stays; the others end
                flash(_("Your password is changed; your other sessions are logged out."), "success")
                return redirect(url_for("accounts.account"))
            if action == "token" and token_form.validate_on_submit():
                key, new_token = services.create_token(s, user, token_form.name.data)
                s.commit()
                token_form = TokenForm(prefix="token", formdata=None)
        except services.LoginRefused as exc:
            s.commit()
            password.current_password.errors = [exc.message]
        except DomainError as exc:
            s.rollback()
            target = {"password": password, "token": token_form}.get(action, profile)
            if exc.field == "password":
                exc.errors = {"new_password": exc.errors.get("password", [exc.message])}
            _form_error(target, exc)
    return render_template(
        "accounts/account.html",
        user=user,
        profile=profile,
        password=password,
        token_form=token_form,
        tokens=services.user_tokens(s, user),
        new_token=new_token,
        roles=sorted(services.user_role_names_in(s, user.id)),
    )


@bp.route("/account/tokens/<int:key_id>/revoke", methods=["POST"])
@login_only
def revoke_token(key_id: int):
    s = session()
    key = services.revoke_token(s, current_user, key_id)
    s.commit()
    flash(_("The token “%(name)s” is revoked.", name=key.name), "success")
    return redirect(url_for("accounts.account"))


# -- administration: users -----------------------------------------------------------------------


def _role_choices():
    return [
        SelectChoice(r.name, r.label)
        for r in session().execute(select(Role).order_by(Role.id)).scalars()
    ]


@bp.route("/admin/users")
@permission_required("administer_users")
def users():
    s = session()
    rows = s.execute(
        select(User, Contact).outerjoin(Contact, Contact.id == User.contact_id).order_by(User.email)
    ).all()
    roles_by_user: dict[int, list[str]] = {}
    for user_id, label in s.execute(
        select(UserRole.user_id, Role.label).join(Role, Role.id == UserRole.role_id)
    ):
        roles_by_user.setdefault(user_id, []).append(label)
    return render_template("accounts/users.html", rows=rows, roles_by_user=roles_by_user)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@permission_required("administer_users")
def new_user():
    form = UserForm()
    form.roles.choices = _role_choices()
    if request.method == "GET":
        form.roles.data = ["staff"]
    if form.validate_on_submit():
        s = session()
        try:
            services.create_user(
                s,
                form.email.data,
                form.password.data or "",
                form.roles.data,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                locale=form.locale.data or None,
            )
            s.commit()
            flash(_("The user %(email)s is created.", email=form.email.data), "success")
            return redirect(url_for("accounts.users"))
        except DomainError as exc:
            s.rollback()
            _form_error(form, exc)
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@permission_required("administer_users")
def edit_user(user_id: int):
    s = session()
    user = s.get(User, user_id) or abort(404)
    contact = s.get(Contact, user.contact_id) if user.contact_id else None
    form = UserForm(email=user.email, is_active=user.is_active, locale=user.locale or "")
    form.roles.choices = _role_choices()
    if request.method == "GET":
        form.roles.data = sorted(services.user_role_names_in(s, user.id))
        if contact:
            form.first_name.data, form.last_name.data = contact.first_name, contact.last_name
    if form.validate_on_submit():
        try:
            services.update_user(
                s,
                user,
                roles=form.roles.data,
                is_active=form.is_active.data,
                locale=form.locale.data,
                password=form.password.data or None,
                acting_user=current_user,
            )
            if contact:
                contact.first_name, contact.last_name = form.first_name.data, form.last_name.data
                contact.compute_names()
            s.commit()
            flash(_("The user %(email)s is saved.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
        except DomainError as exc:
            s.rollback()
            _form_error(form, exc)
    form.email.render_kw = {"readonly": True}
    return render_template("accounts/user_form.html", form=form, user=user)


# -- administration: roles -----------------------------------------------------------------------


@bp.route("/admin/roles", methods=["GET", "POST"])
@permission_required("administer_users")
def roles():
    s = session()
    form = RoleForm()
    if form.validate_on_submit():
        try:
            role = services.create_role(s, form.name.data, form.label.data, form.description.data)
            s.commit()
            flash(_("The role %(label)s is created.", label=role.label), "success")
            return redirect(url_for("accounts.edit_role", role_id=role.id))
        except DomainError as exc:
            s.rollback()
            _form_error(form, exc)
    rows = s.execute(select(Role).order_by(Role.id)).scalars().all()
    return render_template(
        "accounts/roles.html", roles=rows, form=form, grants=services.role_permissions(s)
    )


@bp.route("/admin/roles/<int:role_id>", methods=["GET", "POST"])
@permission_required("administer_users")
def edit_role(role_id: int):
    s = session()
    role = s.get(Role, role_id) or abort(404)
    registry = current_app.extensions["amicale"].registry
    declared = registry.permissions(enabled_components())
    form = RolePermissionsForm()
    form.permissions.choices = [SelectChoice(p.name, str(p.label)) for _o, p in declared]
    if request.method == "GET":
        form.permissions.data = sorted(services.role_permissions(s).get(role.id, set()))
    if role.name != ADMINISTRATOR and form.validate_on_submit():
        try:
            services.set_role_permissions(
                s, role, form.permissions.data or [], {p.name for _o, p in declared}
            )
            s.commit()
            flash(_("The permissions of %(label)s are saved.", label=role.label), "success")
            return redirect(url_for("accounts.roles"))
        except DomainError as exc:
            s.rollback()
            _form_error(form, exc)
    granted = set(form.permissions.data or [])
    return render_template(
        "accounts/role_form.html",
        role=role,
        form=form,
        declared=declared,
        granted=granted,
        is_admin=role.name == ADMINISTRATOR,
    )
