"""End to end in a real browser (Debian's chromium driven by Playwright) against a live server.

    .venv/bin/python -m pytest linli/web/tests/test_e2e.py -m e2e

Without /usr/bin/chromium these tests FAIL (CI installs it); they never download a browser.
"""

import os
import re

import pytest
from django.utils import timezone

from linli.core.models import PiiAccess
from linli.notify.fakes import RecordingSmsProvider

pytestmark = pytest.mark.e2e

# Playwright's sync API keeps an event loop on this thread; the ORM calls the test itself makes
# between browser steps are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(chromium):
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def sms(settings):
    settings.LINLI_SMS_PROVIDER = "linli.notify.fakes.RecordingSmsProvider"
    RecordingSmsProvider.sent = []
    return RecordingSmsProvider.sent


def test_it_lets_staff_sign_in_drill_down_reveal_a_phone_and_search(
    transactional_db, live_server, world, page
):
    world.staff.set_password("e2e-password")
    world.staff.save()
    base = live_server.url

    page.goto(f"{base}/staff/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "e2e-password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(rf"{base}/staff/c/{world.a.id}/$"))
    assert page.locator("#stats").inner_text().count("\n") >= 5

    page.get_by_role("link", name="楼栋与房屋").click()
    page.get_by_role("link", name="1号楼").click()
    page.get_by_role("link", name="1单元").click()
    page.get_by_role("link", name="301").click()
    page.wait_for_url(re.compile(rf"/houses/{world.house.id}/$"))
    household = page.locator("#household").inner_text()
    assert "王建国" in household and "138****0001" in household and "13800000001" not in household

    page.locator("#household").get_by_role("link", name="李小梅").click()
    assert "138****0002" in page.locator("#contact").inner_text()
    page.select_option("#contact select", "verify")
    page.get_by_role("button", name="显示完整信息").click()
    page.wait_for_selector("#contact .revealed")
    assert "13800000002" in page.locator("#contact").inner_text()
    row = PiiAccess.objects.get()
    assert (row.actor_id, row.person_id, row.purpose) == (world.staff.id, world.tenant_person.id, "verify")

    page.get_by_role("link", name="个人信息查看记录").click()
    assert "李小梅" in page.locator("table").inner_text()

    page.fill("#global-search", "13800000001")
    page.locator("form.search button").click()
    results = page.locator("main table").first.inner_text()
    assert "王建国" in results and "138****0001" in results and "13800000001" not in results


def test_it_lets_a_resident_sign_in_by_sms_grow_the_type_and_switch_to_english(
    transactional_db, live_server, world, phone_page, sms
):
    page, base = phone_page, live_server.url
    page.goto(f"{base}/")
    page.wait_for_url(re.compile(r"/login/"))
    page.fill("#id_phone", "13800000001")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_selector("#id_code")  # step 2 swapped in by htmx, no page load
    assert "138****0001" in page.locator("#login-step").inner_text()
    page.fill("#id_code", sms[-1].params["code"])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    assert "1号楼-1单元-301" in page.locator("main").inner_text()
    assert "13800000001" in page.locator("#household").inner_text()

    def body_px() -> float:
        return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))

    assert body_px() < 20
    page.get_by_role("link", name="我的").click()
    page.locator("#elderly-toggle").click()
    page.wait_for_selector("html.elderly")
    assert body_px() >= 20
    page.get_by_role("link", name="首页").click()
    page.wait_for_url(f"{base}/")  # evaluate() does not wait for the navigation as locators do
    assert body_px() >= 20
    assert page.locator("#call-property").is_visible()
    world.owner.refresh_from_db()
    assert world.owner.elderly_mode is True

    page.get_by_role("link", name="我的").click()
    page.locator("#lang-en").click()
    page.wait_for_selector("html[lang=en]")
    page.get_by_role("link", name="Home").click()
    assert "My homes" in page.locator("main").inner_text()


def test_it_lets_a_landlord_register_a_tenant_and_end_the_lease(
    transactional_db, live_server, world, phone_page
):
    page, base = phone_page, live_server.url
    page.context.add_cookies([_session_cookie(live_server, world.owner)])
    page.goto(f"{base}/houses/{world.house.id}/")
    page.get_by_role("link", name="登记租客或家人").click()
    today = timezone.localdate()
    page.select_option("#id_relation", "tenant")
    page.fill("#id_name", "孙新租")
    page.fill("#id_phone", "13700000011")
    page.fill("#id_valid_from", today.isoformat())
    page.fill("#id_valid_to", today.replace(year=today.year + 1).isoformat())
    page.get_by_role("button", name="登记").click()
    page.wait_for_url(f"{base}/houses/{world.house.id}/")
    assert "已登记租客 孙新租" in page.locator("main").inner_text()

    page.locator("#members").get_by_role("link", name=re.compile("李小梅")).click()
    page.get_by_role("button", name="确认结束租约").click()
    page.wait_for_url(f"{base}/houses/{world.house.id}/")
    members = page.locator("#members").inner_text()
    assert "李小梅" not in members and "孙新租" in members


def _session_cookie(live_server, user) -> dict:
    """A signed-in session without going through the login page (that flow has its own test)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
