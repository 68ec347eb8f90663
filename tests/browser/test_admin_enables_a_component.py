"""In a real browser (Debian's Chromium driven by Playwright): an admin logs in, enables a
component, sees its menu entry and opens its page. A screenshot of each step is kept in
test-artifacts/."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect, sync_playwright

from amicale_sdk.pytest_plugin import TEST_PASSWORD

CHROMIUM = os.environ.get("AMICALE_CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    assert os.path.exists(CHROMIUM), (
        f"{CHROMIUM} is missing: install Debian's chromium (bash dev.sh test does it as root)"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
            ],
        )
        yield browser
        browser.close()


def test_an_admin_enables_a_component_and_opens_its_page(
    live_server, browser, make_user, artifacts
):
    make_user(("administrator",), email="sophie@example.org", first_name="Sophie")
    page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 800})

    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.fill("#email", "sophie@example.org")
    page.fill("#password", TEST_PASSWORD)
    page.screenshot(path=artifacts / "1-login.png")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator('[data-menu-id="sample_ext"]')).to_have_count(0)
    page.screenshot(path=artifacts / "2-dashboard.png")

    page.click("nav .dropdown summary")
    page.click('[data-menu-id="admin.components"]')
    expect(page).to_have_url(re.compile(r"/admin/components/$"))
    row = page.locator("#component-sample_ext")
    expect(row).to_contain_text("Sample extension")
    page.screenshot(path=artifacts / "3-components.png", full_page=True)
    row.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(row.locator(".badge.on")).to_be_visible()
    page.screenshot(path=artifacts / "4-enabled.png", full_page=True)

    menu = page.locator('[data-menu-id="sample_ext"]')
    expect(menu).to_be_visible()
    menu.click()
    expect(page).to_have_url(re.compile(r"/sample_ext/$"))
    expect(page.locator("h1")).to_have_text("Sample items")
    page.fill("#name", "Confitures contre ourlets")
    page.click("main form button[type=submit]")
    expect(page.locator("#items")).to_contain_text("Confitures contre ourlets")
    page.screenshot(path=artifacts / "5-component-page.png", full_page=True)


def test_the_layout_works_on_a_phone(live_server, browser, make_user, artifacts):
    make_user(("administrator",), email="sophie@example.org")
    page = browser.new_page(viewport={"width": 390, "height": 800}, locale="fr-FR")
    page.goto(f"{live_server}/login")
    page.fill("#email", "sophie@example.org")
    page.fill("#password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/admin/components/")
    # nothing wider than the screen: no horizontal scrolling
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=artifacts / "phone-components.png", full_page=True)
