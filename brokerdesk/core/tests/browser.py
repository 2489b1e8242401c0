"""Real-browser fixtures shared by every app's browser tests (Playwright + Debian's Chromium).

Import them into a test module (the fixtures are registered under their short names)::

    from brokerdesk.core.tests.browser import (  # noqa: F401 - fixtures
        browser_fixture, new_page_fixture, page_fixture, skip_without_chromium,
    )
    pytestmark = [pytest.mark.browser, skip_without_chromium]

- ``browser``: one Chromium for the whole session (Playwright's sync API).
- ``page``: a fresh context (own cookies, Chinese ``Accept-Language``) and page per test.
  The default viewport is a desktop; parametrize indirectly for another size, e.g.
  ``@pytest.mark.parametrize("page", [PHONE], indirect=True)``, or pass a dict
  ``{"viewport": PHONE, "locale": "en-US"}``.
- ``new_page``: a factory for more pages (a second user side by side, another viewport).

Uncaught JavaScript errors on a page fail the test that opened it.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("BROKERDESK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# The product's users are Chinese: the browser asks for Chinese unless a test says otherwise.
DEFAULT_LOCALE = "zh-CN"
TIMEOUT_MS = 10_000

skip_without_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"browser tests need Chromium at {CHROMIUM} (apt install chromium)"
)


# Each test module that imports ``browser_fixture`` gets its own session-scoped fixture, but
# Playwright's sync API runs once per thread: the first one starts Chromium, the others share it.
_running: list = []


@pytest.fixture(scope="session", name="browser")
def browser_fixture():
    if _running:
        yield _running[0]
        return
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        _running.append(chromium)
        try:
            yield chromium
        finally:
            _running.clear()
            chromium.close()


@pytest.fixture(name="new_page")
def new_page_fixture(browser):
    """``new_page(viewport=PHONE, locale="en-US")``: a page in its own fresh context."""
    contexts = []
    errors = []

    def make(viewport=None, locale=DEFAULT_LOCALE, **context_options):
        context = browser.new_context(viewport=viewport or DESKTOP, locale=locale, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        pg = context.new_page()
        pg.on("pageerror", lambda exc: errors.append(f"{pg.url}: {exc}"))
        return pg

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture(name="page")
def page_fixture(request, new_page):
    param = getattr(request, "param", None) or {}
    if "width" in param:
        param = {"viewport": param}
    return new_page(**param)


def login(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the real login form and wait for the workbench."""
    page.goto(f"{base_url}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    assert "/login/" not in page.url, f"login as {username!r} failed: still on {page.url}"
