"""Forms of the account pages (Flask-WTF: CSRF and rendering; the rules live in the services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Stay logged in on this computer"))


class ProfileForm(FlaskForm):
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")],
        default="fr",
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=120)])


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired()])
    first_name = StringField(_l("First name"), validators=[Optional(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=100)])
    password = PasswordField(_l("Password"), validators=[Optional()])
    roles = MultiCheckboxField(_l("Roles"), choices=[])
    is_active = BooleanField(_l("Active"), default=True)
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("fr", "Français"),
            SelectChoice("en", "English"),
        ],
        default="",
    )


class RoleForm(FlaskForm):
    name = StringField(_l("Name (letters, digits, underscores)"), validators=[DataRequired()])
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=120)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=500)])


class RolePermissionsForm(FlaskForm):
    permissions = MultiCheckboxField(_l("Permissions"), choices=[])
