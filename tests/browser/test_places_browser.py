"""Administrators' regions and partners screens and the password change, in Chromium.

axe-core (WCAG 2.1 A/AA) on the list and on each form showing errors, in English and
Hungarian; and a region rename done the way an administrator does it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from webapp.extensions import db
from webapp.models import Region

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "correct horse battery"
RUN_AXE = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({id: v.id, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' '))}));
}
"""


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci --prefix tests/js`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def assert_no_violations(page, axe_script: Path, what: str) -> None:
    # Evaluated from the test: the site's Content-Security-Policy refuses inline scripts.
    page.evaluate(axe_script.read_text(encoding="utf-8"))
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    assert not violations, f"{what}: {violations}"


@pytest.fixture
def admin_page(browser, live_server, make_user, make_partner, make_event):
    make_event()
    make_partner("LT", short_name="KEDA", name="Klaipėda Economic Development Agency")
    admin = make_user("admin", password=PASSWORD, email="admin@interventures.example")
    contexts = []

    def open_page(lang: str = "en"):
        context = browser.new_context(base_url=live_server)
        context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/organiser/login")
        page.locator("input[name=email]").fill(admin.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("lang", ["en", "hu"])
def test_screens_have_no_wcag_violations(admin_page, axe_script, lang):
    page = admin_page(lang)
    page.goto("/organiser/regions/")
    assert page.locator("h1").count() == 1
    assert_no_violations(page, axe_script, f"regions and partners ({lang})")

    page.goto("/organiser/partners/new")
    page.locator("input[name=short_name]").fill("KEDA")
    page.locator("input[name=email]").fill("not an address")
    page.locator("form.narrow-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 2
    assert_no_violations(page, axe_script, f"partner form with errors ({lang})")

    page.goto("/organiser/account/password")
    page.locator("input[name=current_password]").fill("wrong password")
    page.locator("form.narrow-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 1
    assert_no_violations(page, axe_script, f"password form with errors ({lang})")


def test_admin_renames_a_region_from_the_menu(admin_page, regions):
    page = admin_page()
    page.get_by_role("link", name="Regions and partners").click()
    page.get_by_role("link", name="Edit Klaipėda", exact=True).click()
    page.get_by_label("Name").fill("Klaipėda Region")
    page.get_by_label("Time zone").select_option("Europe/Vilnius")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.url.endswith("/organiser/regions/")
    assert page.get_by_role("status").filter(has_text="LT").count() == 1
    db.session.expire_all()
    assert db.session.get(Region, regions["LT"].id).name == "Klaipėda Region"
