"""Screenshots of the main pages for a visual check, taken from a running demo.

Start the demo (``bin/demo``), then::

    .venv/bin/python tools/screenshots.py --base-url http://127.0.0.1:8000

For every demo login (lead, cm, manager, channel), language (zh-hans, en) and viewport
(390x844 phone, 1366x900 desktop) it signs in through the login form and saves full-page
PNGs of the workbench, staff list, a staff record, teams, organisation tree, outlets,
agreements and the new-staff form showing a wrong ID number. A page the login may not
open is skipped and listed. Files go to ``test-artifacts/screenshots/`` as
``<lang>-<width>-<user>-<page>.png``.
"""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USERS = ["lead", "cm", "manager", "channel"]
PASSWORD = "demo12345"  # noqa: S105 - the demo's published password
LANGS = {"zh-hans": "zh-CN", "en": "en-US"}  # language → the browser's Accept-Language
VIEWPORTS = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 900}}
PAGES = [
    ("home", "/"),
    ("staff-list", "/org/staff/"),
    ("staff-detail", None),  # the first person in the staff list
    ("teams", "/org/teams/"),
    ("tree", "/org/tree/"),
    ("outlets", "/org/outlets/"),
    ("agreements", "/org/agreements/"),
    ("staff-form-error", "/org/staff/new/"),
]
OUT = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    if "/login/" in page.url:
        raise SystemExit(f"could not sign in as {username!r} — is the demo data loaded?")


def fill_staff_form_with_wrong_id(page) -> None:
    """A plausible new person whose ID number has a wrong check digit."""
    page.fill("#id_emp_no", "SHOT0001")
    page.fill("#id_name", "陈晨")
    page.select_option("#id_gender", "F")
    page.fill("#id_mobile", "13900001111")
    page.fill("#id_id_number", "110105199003070771")  # the right check digit is 0
    page.select_option("#id_employment_type", "full_time")
    page.select_option("#id_position", "client_manager")
    branch_options = page.locator("#id_branch option:not([value=''])")
    if branch_options.count():
        page.select_option("#id_branch", branch_options.first.get_attribute("value"))
    page.fill("#id_hired_on", "2026-03-02")
    with page.expect_navigation():
        page.click("form.form button.primary")


def shoot(browser, base: str, user: str, lang: str, size: str, out: Path) -> list[str]:
    skipped = []
    context = browser.new_context(viewport=VIEWPORTS[size], locale=LANGS[lang])
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, base, user)
    for name, path in PAGES:
        if path is None:
            page.goto(f"{base}/org/staff/")
            first = page.locator("#results tbody a").first
            if not first.count():
                skipped.append(f"{user}/{name}: no one in the list")
                continue
            path = first.get_attribute("href")
        response = page.goto(base + path)
        if response is None or response.status >= 400:
            skipped.append(f"{user}/{name}: {response.status if response else 'no response'}")
            continue
        if name == "staff-form-error":
            fill_staff_form_with_wrong_id(page)
        page.wait_for_load_state("networkidle")
        target = out / f"{lang}-{size}-{user}-{name}.png"
        page.screenshot(path=str(target), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > VIEWPORTS[size]["width"]:
            print(f"  ! {target.name}: page is {width}px wide (viewport {size})")
    context.close()
    return skipped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--users", nargs="+", default=USERS)
    parser.add_argument("--langs", nargs="+", default=list(LANGS), choices=list(LANGS))
    parser.add_argument("--viewports", nargs="+", default=list(VIEWPORTS), choices=list(VIEWPORTS))
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    skipped = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for user in args.users:
            for lang in args.langs:
                for size in args.viewports:
                    print(f"{user} · {lang} · {size}")
                    skipped += shoot(browser, base, user, lang, size, args.out)
        browser.close()
    shots = sorted(args.out.glob("*.png"))
    print(f"{len(shots)} screenshots in {args.out}")
    for line in sorted(set(skipped)):
        print(f"  skipped {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
