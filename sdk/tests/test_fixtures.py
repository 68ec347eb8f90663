"""The fixtures extension authors get from the SDK's pytest plugin."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest


def test_smtp_server_is_a_real_server_on_loopback_that_keeps_what_it_receives(smtp_server):
    assert smtp_server.url.startswith("smtp://127.0.0.1:")
    message = EmailMessage()
    message["From"] = "Le Grain de SEL <contact@grain-de-sel.example.org>"
    message["To"] = "ada@example.org"
    message["Subject"] = "Bienvenue à la bourse d'échanges"
    message.set_content("Bonjour Ada,\nvotre solde est de 3,5 heures.")
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as smtp:
        smtp.send_message(message, to_addrs=["ada@example.org", "copy@example.org"])
    (received,) = smtp_server.to("ADA@example.org")
    assert received["Subject"] == "Bienvenue à la bourse d'échanges"
    assert "3,5 heures" in received.get_content()
    assert received.envelope_from == "contact@grain-de-sel.example.org"
    assert received.envelope_to == ["ada@example.org", "copy@example.org"]
    assert smtp_server.to("nobody@example.org") == []
    smtp_server.clear()
    assert smtp_server.messages == []


def test_an_app_of_a_test_that_uses_the_smtp_server_sends_there(app, smtp_server):
    assert app.config["AMICALE_SMTP_URL"] == smtp_server.url


def test_an_app_without_the_smtp_server_has_no_smtp_configured(app):
    assert app.config["AMICALE_SMTP_URL"] is None


def test_factories_save_contacts_of_each_type(app, factories, make_contact, login_as):
    ada = factories.contact(first_name="Ada", last_name="Lovelace")
    assert ada.id and ada.display_name == "Ada Lovelace"
    other = make_contact()
    assert other.id != ada.id and other.contact_type == "Individual"
    assert factories.organization(organization_name="Les Jardins").display_name == "Les Jardins"
    assert factories.household().contact_type == "Household"
    page = login_as("staff", locale="en").get(f"/contacts/{ada.id}")
    assert "Ada Lovelace" in page.get_data(as_text=True)


def test_factories_of_a_component_that_is_not_installed_say_so(factories):
    with pytest.raises(AttributeError, match="no factories named 'ghost' are installed"):
        factories.ghost  # noqa: B018


def test_bad_values_given_to_a_factory_are_refused_like_anywhere_else(factories):
    from amicale.api_for_plugins import ValidationError

    with pytest.raises(ValidationError):
        factories.contact(emails=[{"email": "not an address"}])


def test_login_as_and_api_client_give_the_role_asked_for(login_as, api_client):
    assert login_as("readonly", locale="en").get("/admin/components/").status_code == 403
    assert login_as("administrator", locale="en").get("/admin/components/").status_code == 200
    assert api_client("staff").get("/api/v1/contacts").status_code == 200
    assert api_client(None).get("/api/v1/contacts").status_code == 401
