"""渠道检查: the console page that says, for each channel, whether it is ready and which settings
it lacks — by name, never by value — for the community admin alone."""

import re

import pytest
from django.urls import reverse

from linli.channels.tests.conftest import SECRET
from linli.testing.walk import text_of

pytestmark = pytest.mark.django_db


def rows(client, world) -> dict[str, str]:
    page = text_of(client.get(reverse("channels:checks", args=[world.a.id])))
    return {
        key: re.sub(r"<[^>]+>", " ", cells)
        for key, cells in re.findall(r'data-check="([^"]+)">(.*?)</tr>', page, re.S)
    }


def test_the_demo_is_told_its_texts_are_only_printed(world, browser, settings):
    settings.LINLI_SMS_GATEWAYS = []
    settings.LINLI_SMS_PROVIDER = "linli.notify.sms.ConsoleSmsProvider"
    found = rows(browser(world.admin), world)
    assert "LINLI_SMS_GATEWAYS" in found["sms"] and "服务器日志" in found["sms"]
    assert "未启用" in found["staff"]  # no staff channel chosen: the inbox only
    assert "未启用" in found["wechat"] and "短信验证码登录" in found["wechat"]


def test_wechat_names_what_it_lacks(world, browser, settings):
    settings.LINLI_WECHAT_APPID = "wx0123456789abcdef"
    settings.LINLI_WECHAT_SECRET = ""
    settings.LINLI_WECHAT_MINI_APPID = ""
    settings.LINLI_WECHAT_MINI_SECRET = ""
    settings.LINLI_WECHAT_TEMPLATES = {}
    admin = browser(world.admin)
    found = rows(admin, world)["wechat"]
    assert "LINLI_WECHAT_SECRET" in found and "缺少设置" in found
    settings.LINLI_WECHAT_SECRET = SECRET  # the account is whole: now its templates are missing
    found = rows(admin, world)["wechat"]
    assert "LINLI_WECHAT_TEMPLATES" in found and "LINLI_WECHAT_SECRET" not in found
    assert SECRET not in found and "LINLI_WECHATPAY_APPID" in found  # pay under another AppID


def test_each_gateway_names_the_settings_it_lacks_and_never_a_value(world, browser, settings):
    settings.LINLI_SMS_GATEWAYS = ["aliyun", "tencent"]
    settings.LINLI_SMS_ALIYUN_ACCESS_KEY_ID = "LTAI-key-id"
    settings.LINLI_SMS_ALIYUN_ACCESS_KEY_SECRET = SECRET
    settings.LINLI_SMS_TENCENT_SECRET_ID = ""
    found = rows(browser(world.admin), world)
    assert "LINLI_SMS_ALIYUN_SIGN_NAME" in found["sms:aliyun"]
    assert "LINLI_SMS_TENCENT_SECRET_ID" in found["sms:tencent"]
    page = "".join(found.values())
    assert SECRET not in page and "LTAI-key-id" not in page


def test_a_configured_staff_channel_shows_what_it_lacks(world, browser):
    admin = browser(world.admin)
    admin.post(
        reverse("channels:staff_channel", args=[world.a.id]),
        {"kind": "dingtalk_robot", "dingtalk_robot_token": "", "dingtalk_sign_secret": SECRET},
    )
    found = rows(admin, world)
    assert "缺少设置" in found["staff"] and SECRET not in found["staff"]


@pytest.mark.parametrize("who", ["staff", "front_desk", "technician", "grid_worker", "outsider"])
def test_only_the_community_admin_may_open_it(world, browser, who):
    assert browser(getattr(world, who)).get(reverse("channels:checks", args=[world.a.id])).status_code == 404
