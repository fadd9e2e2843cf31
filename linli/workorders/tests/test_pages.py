"""The work-order screens through Django's test client, as residents, technicians and the desk
use them (the browser walk of the leaking pipe is test_e2e_workorders.py)."""

import io
import re

import pytest
from PIL import Image

from linli.testing import workorders as wo
from linli.workorders.choices import Status
from linli.workorders.models import Attachment, Request
from linli.workorders.services import flow


def _photo(name: str = "leak.jpg") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def crew(world):
    return wo.crew(world)


# --- resident ---------------------------------------------------------------------------------


def test_a_resident_reports_a_leak_with_a_photo_in_three_taps(world, browser, crew):
    phone = browser(world.owner)
    services = _text(phone.get("/services/"))
    assert 'data-tile="report"' in services and "报事报修" in services  # tap 1
    home = _text(phone.get("/workorders/"))
    assert "水管漏水" in home and "占用消防通道" not in home  # grid incidents are not residents'
    form = _text(phone.get(f"/workorders/report/{crew.repair.id}/"))  # tap 2
    assert 'accept="image/*"' in form and "capture" in form and "卫生间" in form  # the category's field
    assert f'name="house" value="{world.house.id}"' in form  # one home: preselected, not asked
    r = phone.post(  # tap 3
        f"/workorders/report/{crew.repair.id}/",
        {"description": "厨房水管漏水", "house": world.house.id, "answer_room": "厨房", "photo": _photo()},
    )
    assert r.status_code == 302, _text(r)
    order = Request.objects.get()
    assert r["Location"] == f"/workorders/my/{order.id}"
    assert order.status == Status.ASSIGNED and order.answers == {"room": "厨房"}
    assert order.attachments.get().stage == "report"
    page = _text(phone.get(r["Location"]))
    assert "已派单" in page and "提交报事" in page and "撤销" in page
    assert "workorders/photos/" in page
    photo = phone.get(f"/workorders/photos/{order.attachments.get().id}")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert order.id in [
        int(n) for n in re.findall(r"/workorders/my/(\d+)", _text(phone.get("/workorders/my/")))
    ]


def test_a_report_without_a_description_shows_the_error_and_keeps_nothing(world, browser, crew):
    r = browser(world.owner).post(f"/workorders/report/{crew.repair.id}/", {"description": ""})
    assert r.status_code == 200 and "field-error" in _text(r)
    assert not Request.objects.exists()


def test_the_reporter_confirms_and_rates_from_the_page(world, browser, crew):
    order = wo.report(world, crew)
    for action in ("ack", "start", "complete"):
        order = flow.do_transition(actor=world.technician, request=order, action=action)
    phone = browser(world.owner)
    page = _text(phone.get(f"/workorders/my/{order.id}"))
    assert "住户确认" in page and "返工" in page and "评价本次服务" in page and "准时" in page
    r = phone.post(f"/workorders/my/{order.id}/rate", {"rating": 5, "tags": ["准时", "专业"]})
    assert r.status_code == 302
    order.refresh_from_db()
    assert (order.rating, order.status, order.rating_tags) == (5, Status.CLOSED, ["准时", "专业"])
    assert "评价本次服务" not in _text(phone.get(f"/workorders/my/{order.id}"))


def test_the_reporter_cancels_with_a_reason_and_a_refused_move_reads_as_a_message(world, browser, crew):
    order = wo.report(world, crew)
    phone = browser(world.owner)
    r = phone.post(f"/workorders/my/{order.id}/act", {"action": "cancel"}, follow=True)
    assert "请填写原因" in _text(r)
    phone.post(f"/workorders/my/{order.id}/act", {"action": "cancel", "reason": "已自行修好"})
    assert Request.objects.get(pk=order.pk).status == Status.CANCELLED
    r = phone.post(f"/workorders/my/{order.id}/act", {"action": "complete"}, follow=True)
    assert "这不是您的工单" in _text(r)


def test_the_timeline_refreshes_as_a_partial(world, browser, crew):
    order = wo.report(world, crew)
    r = browser(world.owner).get(f"/workorders/my/{order.id}", headers={"HX-Request": "true"})
    assert "<html" not in _text(r) and "提交报事" in _text(r)


def test_nobody_else_sees_my_request_or_its_photos(world, browser, crew):
    order = wo.report(world, crew)
    photo = Attachment.objects.get(pk=wo._attachment(world, order))
    for user in (world.tenant, world.outsider):
        client = browser(user)
        assert client.get(f"/workorders/my/{order.id}").status_code == 404
        assert (
            client.post(f"/workorders/my/{order.id}/act", {"action": "cancel", "reason": "x"}).status_code
            == 404
        )
        assert client.post(f"/workorders/my/{order.id}/rate", {"rating": 1}).status_code == 404
        assert client.get(f"/workorders/photos/{photo.id}").status_code == 404
    assert browser(world.staff).get(f"/workorders/photos/{photo.id}").status_code == 200
    assert browser().get(f"/workorders/my/{order.id}").status_code == 302  # to sign in


def test_the_public_board_counts_per_building_and_names_nobody(world, browser, crew):
    wo.report(world, crew, "王建国家厨房漏水")
    for user in (world.owner, world.staff):
        page = _text(browser(user).get(f"/workorders/board/{world.a.id}/"))
        assert "1号楼" in page and "处理中 1" in page
        assert "王" not in page and "13800000001" not in page
    assert browser(world.outsider).get(f"/workorders/board/{world.a.id}/").status_code == 404
