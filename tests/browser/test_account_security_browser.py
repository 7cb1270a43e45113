"""Account security pages in the browser: setting up the authenticator app, the recovery
codes, the code step of the login and the security page pass axe (WCAG 2.1 AA) in English
and Hungarian, at desktop width and at 360 px without sideways scrolling."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest

from tests.browser import test_accessibility_browser as accessibility
from tests.browser.test_accessibility_browser import LANGUAGES, WIDTHS, assert_no_violations

# The axe script and the page opener (language, width) of the accessibility tests.
axe_script = accessibility.axe_script
visitor = accessibility.visitor

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def fits(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def log_in(page, email: str) -> None:
    page.goto("/organiser/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.narrow-form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_second_factor_pages_pass_axe_and_fit(visitor, axe_script, make_user, lang, width):
    user = make_user(email=f"security-{lang}-{width}@pannon.example", password=PASSWORD)
    page = visitor(lang, width)
    log_in(page, user.email)
    assert page.url.endswith("/organiser/")

    page.goto("/organiser/account/security")
    assert page.locator("h1").count() == 1
    assert_no_violations(page, axe_script, f"account security ({lang}, {width})")
    fits(page)

    page.goto("/organiser/account/two-factor")
    assert page.locator(".totp-qr svg[role=img]").count() == 1
    assert_no_violations(page, axe_script, f"two-factor setup ({lang}, {width})")
    fits(page)
    # A wrong code: the error sits next to the field.
    page.locator("input[name=code]").fill("12")
    page.locator("form.narrow-form button[type=submit]").click()
    page.wait_for_selector("[aria-invalid=true]")
    assert_no_violations(page, axe_script, f"two-factor setup with error ({lang}, {width})")

    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.locator("input[name=code]").fill(totp.now())
    page.locator("form.narrow-form button[type=submit]").click()
    page.wait_for_selector(".recovery-codes")
    assert page.locator(".recovery-codes li").count() == 10
    assert_no_violations(page, axe_script, f"recovery codes ({lang}, {width})")
    fits(page)

    page.goto("/organiser/account/security")
    assert_no_violations(page, axe_script, f"account security, factor on ({lang}, {width})")
    fits(page)

    # On a phone the header's links, logout among them, sit in the folded menu.
    toggle = page.locator("summary.site-menu-toggle")
    if toggle.is_visible():
        toggle.click()
    page.locator("form[action$='/logout'] button").click()
    page.wait_for_load_state()
    log_in(page, user.email)
    assert page.url.endswith("/organiser/login/code")
    assert_no_violations(page, axe_script, f"login code ({lang}, {width})")
    fits(page)
    current = totp.timecode(datetime.now(UTC))
    page.locator("input[name=code]").fill(totp.generate_otp(current + 1))
    page.locator("form.narrow-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/organiser/")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_users_screen_with_second_factor_settings_passes_axe(
    visitor, axe_script, make_user, lang, width
):
    admin = make_user("admin", email=f"admin-{lang}-{width}@pannon.example", password=PASSWORD)
    make_user(
        email=f"colleague-{lang}-{width}@pannon.example",
        totp_secret="A" * 32,
        totp_enabled_at=datetime.now(UTC),
    )
    page = visitor(lang, width)
    log_in(page, admin.email)
    page.goto("/organiser/users/")
    assert page.locator("input[name=two_factor_required]").count() == 1
    assert page.locator("form[action$='/reset-two-factor']").count() == 1
    assert_no_violations(page, axe_script, f"users ({lang}, {width})")
    fits(page)
