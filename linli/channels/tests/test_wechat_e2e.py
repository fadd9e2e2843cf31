"""WeChat sign-in in a real browser: the resident opens the H5 from the official account, WeChat
(the fake, on 127.0.0.1, with its authorisation page) sends them back, they prove their phone
once with an SMS code and are in; the next time WeChat alone signs them in; after they unbind
in 我的, WeChat asks for the phone check again."""

import os

import pytest

from linli.channels.models import WeChatIdentity
from linli.channels.tests import fake_wechat
from linli.channels.tests.conftest import OWNER_OPENID

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM beside Playwright's loop


def open_from_wechat(chromium, live_server):
    """A fresh WeChat browser (no session yet) opening the H5's entrance."""
    page = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/wechat/oauth/start")
    return page


def test_a_resident_binds_wechat_once_is_signed_in_by_it_and_unbinds(
    transactional_db, live_server, world, wechat, settings, sms_outbox, inline_tasks, chromium
):
    settings.LINLI_WECHAT_AUTHORIZE_URL = f"{wechat.url}{fake_wechat.AUTHORIZE}"
    wechat.resident = OWNER_OPENID

    page = open_from_wechat(chromium, live_server)
    page.get_by_role("heading", name="绑定手机号").wait_for()  # an openid alone grants nothing
    page.get_by_label("手机号").fill("13800000001")
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_text("验证码已发送至").wait_for()
    page.get_by_label("验证码").fill(sms_outbox[-1].params["code"])
    page.get_by_role("button", name="验证并绑定").click()
    page.get_by_text("微信已绑定，下次在微信中打开可直接登录").wait_for()
    page.get_by_text("您好，王业主").wait_for()  # signed in, on the resident home
    assert WeChatIdentity.objects.get().user == world.owner

    again = open_from_wechat(chromium, live_server)
    again.get_by_text("您好，王业主").wait_for()  # straight in: no phone check the second time
    again.goto(f"{live_server.url}/me/")
    again.get_by_role("link", name="微信绑定").click()
    again.get_by_role("button", name="解除绑定").click()
    again.get_by_text("已解除微信绑定").wait_for()
    assert not WeChatIdentity.objects.exists()

    page = open_from_wechat(chromium, live_server)
    page.get_by_role("heading", name="绑定手机号").wait_for()
