"""Screenshots of the main pages at phone (390×844) and desktop (1440×900) sizes → docs/screenshots/.

    .venv/bin/python linli/web/tests/screenshots.py [--out docs/screenshots]

Builds its own throwaway database with the small demo world and the access demo of its first
community, serves it on a local port, signs in the way people do (the resident with an SMS code
read from the recording fake, staff with a password) and saves PNGs. Needs Debian's chromium at /usr/bin/chromium and a CJK font
(fonts-wqy-microhei or fonts-noto-cjk), else the Chinese renders as boxes.
"""

import argparse
import json
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
SAMPLE_IMPORT = "楼栋,单元,房号,楼层,类型,建筑面积\n3号楼,1单元,101,1,住宅,89.50\n3号楼,1单元,102,一层,住宅,89.50\n3号楼,1单元,101,1,商铺,-5\n"
LOCALE = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
DESKTOP = {"width": 1440, "height": 900}


def _setup_django(var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    os.environ["LINLI_VAR_DIR"] = var_dir
    os.environ["LINLI_TASKS_BACKEND"] = "immediate"
    os.environ["LINLI_SMS_PROVIDER"] = "linli.notify.fakes.RecordingSmsProvider"
    os.environ["LINLI_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    import django

    django.setup()


def _serve() -> str:
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def _sms_code(phone: str) -> str:
    from linli.notify.fakes import RecordingSmsProvider

    return next(s.params["code"] for s in reversed(RecordingSmsProvider.sent) if s.phone == phone)


def new_page(browser, **context):
    """A fresh browser profile. The WSGI server here cannot stream the ASGI event stream, so pages
    fall back to polling (as they do when a proxy cuts the stream)."""
    browser_context = browser.new_context(**LOCALE, **context)
    browser_context.route("**/events/stream", lambda route: route.abort())
    return browser_context.new_page()


def resident_session(browser, base: str, phone: str, **context):
    page = new_page(browser, **context)
    page.goto(f"{base}/login/")
    page.fill("#id_phone", phone)
    page.click("#login-step button[type=submit]")
    page.wait_for_selector("#id_code")
    page.fill("#id_code", _sms_code(phone))
    page.click("#login-step button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def staff_session(browser, base: str, username: str, password: str, **context):
    page = new_page(browser, **context)
    page.goto(f"{base}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/staff/c/**")
    return page


def shoot(page, path: Path, *, full_page: bool = False) -> None:
    """A full page is shot with the window grown to the page's height, so that fixed bars (the tab
    bar) sit at the bottom of the picture rather than across the middle of it."""
    if not full_page:
        page.screenshot(path=str(path))
    else:
        window = page.viewport_size
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": window["width"], "height": max(height, window["height"])})
        page.screenshot(path=str(path))
        page.set_viewport_size(window)
    _shrink(path)
    print(f"{path.name}: {path.stat().st_size // 1024} KB", file=sys.stderr)


def _shrink(path: Path) -> None:
    """A flat UI needs no more than 256 colours: a palette PNG is a third of the size. Pillow is
    not a dependency of linli; without it the screenshots are kept as chromium wrote them."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    palette.save(path, optimize=True)


def resident_access_shots(page, browser, base: str, out: Path, phone_ctx: dict) -> None:
    """The resident's access pages: services, open a door, invite a visitor, the pass and the
    link the visitor opens."""
    page.goto(f"{base}/services/")
    shoot(page, out / "resident-services-phone.png")
    page.goto(f"{base}/access/")
    page.locator("#my-qr svg").wait_for()
    page.locator("#doors button[type=submit]").first.click()
    page.wait_for_selector("#opened .alert")
    shoot(page, out / "access-open-phone.png", full_page=True)
    page.goto(f"{base}/access/invite/")
    page.fill("#id_visitor_name", "李师傅")
    shoot(page, out / "access-invite-phone.png")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.wait_for_selector("#share")
    shoot(page, out / "access-pass-phone.png", full_page=True)
    visitor = new_page(browser, **phone_ctx)
    visitor.goto(page.locator("#share").input_value())
    shoot(visitor, out / "access-shared-pass-phone.png")


def console_access_shots(page, base: str, out: Path, c: int, demo: dict) -> None:
    """The access console: points and terminals, live events, the visitor log, and the gate
    screen after a simulated card at the south gate."""
    page.goto(f"{base}/access/c/{c}/points/")
    shoot(page, out / "access-points-desktop.png")
    page.goto(f"{base}/access/c/{c}/events/")
    shoot(page, out / "access-events-desktop.png")
    page.goto(f"{base}/access/c/{c}/visitors/")
    shoot(page, out / "access-visitors-desktop.png")
    page.goto(f"{base}/access/c/{c}/gate/{demo['terminals']['南门']['point']}/")
    page.fill("#id_credential", next(iter(demo["cards"])))
    with page.expect_navigation():
        page.click("main form.card button[type=submit]")
    page.wait_for_selector("#decision")
    shoot(page, out / "access-gate-desktop.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="linli-shots-") as var_dir:
        _setup_django(var_dir)
        from django.core.management import call_command
        from playwright.sync_api import sync_playwright

        from linli.access.demo import seed_access_demo
        from linli.core.models import Community
        from linli.demo.builder import DEMO_PASSWORD, OWNER_PHONE, seed_demo
        from linli.registry.models import House, Occupancy

        call_command("migrate", verbosity=0)
        seed_demo(seed=42, small=True)
        community = Community.objects.order_by("id").first()
        seed_access_demo(community)  # a no-op when the demo seeder already installed it
        access_demo = json.loads((Path(var_dir) / f"access-demo-{community.code}.json").read_text())
        base = _serve()
        let_house = House.objects.filter(occupancies__relation="tenant").order_by("id").first()
        person = Occupancy.objects.filter(house=let_house, relation="tenant").first().person
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            phone_ctx = {"viewport": PHONE, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
            page = new_page(browser, viewport=PHONE)
            page.goto(f"{base}/login/")
            shoot(page, out / "login-phone.png")
            page = resident_session(browser, base, OWNER_PHONE, **phone_ctx)
            shoot(page, out / "resident-home-phone.png")
            house_id = page.locator("[data-house]").first.get_attribute("data-house")
            page.goto(f"{base}/houses/{house_id}/")
            shoot(page, out / "resident-house-phone.png")
            page.goto(f"{base}/houses/{house_id}/register/")
            shoot(page, out / "resident-register-tenant-phone.png", full_page=True)
            page.goto(f"{base}/me/")
            page.click("#elderly-toggle")
            page.goto(f"{base}/")
            shoot(page, out / "resident-home-elderly-phone.png")
            page.goto(f"{base}/me/")
            page.click("#elderly-toggle")
            page.wait_for_selector("html:not(.elderly)", state="attached")
            resident_access_shots(page, browser, base, out, phone_ctx)

            desk = {"viewport": DESKTOP}
            page = staff_session(browser, base, "manager", DEMO_PASSWORD, **desk)
            c = community.id
            shoot(page, out / "staff-overview-desktop.png")
            page.goto(f"{base}/staff/c/{c}/houses/{let_house.id}/")
            page.select_option("#id_on_behalf", index=1)
            page.select_option("#id_relation", "family")
            page.fill("#id_name", "周小雨")
            page.click("form[action$='/residents/'] button[type=submit]")
            page.wait_for_selector(".alert-success")
            shoot(page, out / "staff-house-desktop.png")
            page.goto(f"{base}/staff/c/{c}/people/{person.id}/")
            page.click("#contact button[type=submit]")
            page.wait_for_selector("#contact .revealed")
            shoot(page, out / "staff-person-revealed-desktop.png")
            page.goto(f"{base}/staff/c/{c}/search/?q={OWNER_PHONE}")
            shoot(page, out / "staff-search-desktop.png")
            page.goto(f"{base}/staff/c/{c}/people/")
            shoot(page, out / "staff-people-desktop.png")
            page.goto(f"{base}/staff/c/{c}/audit/")
            shoot(page, out / "staff-audit-desktop.png")
            page.goto(f"{base}/staff/c/{c}/import/")
            page.set_input_files(
                "#id_file",
                files=[{"name": "houses.csv", "mimeType": "text/csv", "buffer": SAMPLE_IMPORT.encode()}],
            )
            with page.expect_navigation():
                page.click("main form[enctype] button[type=submit]")
            page.wait_for_selector("#import-report")
            shoot(page, out / "staff-import-desktop.png")
            console_access_shots(page, base, out, c, access_demo)
            page = new_page(browser, **desk)
            page.goto(f"{base}/staff/login/")
            shoot(page, out / "staff-login-desktop.png")
            page = staff_session(browser, base, "manager", DEMO_PASSWORD, viewport=PHONE)
            shoot(page, out / "staff-overview-phone.png")
            browser.close()


if __name__ == "__main__":
    main()
