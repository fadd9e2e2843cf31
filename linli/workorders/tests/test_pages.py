"""The work-order screens through Django's test client, as residents, technicians and the desk
use them (the browser walk of the leaking pipe is test_e2e_workorders.py)."""

import io
import re

import pytest
from PIL import Image

from linli.testing import workorders as wo
from linli.workorders.choices import Status
from linli.workorders.models import Attachment, Request
from linli.workorders.services import flow, setup


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
    photo = Attachment.objects.get(pk=wo._attachment(order))
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


# --- technician -------------------------------------------------------------------------------


def test_the_technician_works_an_order_from_the_queue_to_done(world, browser, crew):
    order = wo.report(world, crew)
    phone, base = browser(world.technician), f"/workorders/staff/{world.a.id}"
    queue = _text(phone.get(f"{base}/"))
    assert f"{base}/{order.id}" in queue and "在岗接单中" in queue
    page = _text(phone.get(f"{base}/{order.id}"))
    assert "接单" in page and "138****0001" in page and "13800000001" not in page  # masked
    for action in ("ack", "depart", "start"):
        assert phone.post(f"{base}/{order.id}/act", {"action": action}).status_code == 302
    phone.post(f"{base}/{order.id}/photo", {"stage": "before", "photo": _photo()})
    phone.post(f"{base}/{order.id}/charge", {"price_item": crew.price.id, "quantity": 2})
    page = _text(phone.get(f"{base}/{order.id}"))
    assert "维修前" in page and "更换水龙头" in page and "¥160.00" in page and "完成" in page
    phone.post(f"{base}/{order.id}/act", {"action": "complete", "reason": "已更换"})
    order.refresh_from_db()
    assert (order.status, order.charge_fen) == (Status.DONE, 16000)
    assert order.attachments.get().stage == "before"


def test_the_technician_pauses_only_with_a_reason(world, browser, crew):
    order = wo.report(world, crew)
    phone, base = browser(world.technician), f"/workorders/staff/{world.a.id}"
    phone.post(f"{base}/{order.id}/act", {"action": "start"})
    r = phone.post(f"{base}/{order.id}/act", {"action": "await_parts"}, follow=True)
    assert "请填写原因" in _text(r)
    phone.post(f"{base}/{order.id}/act", {"action": "await_parts", "reason": "等水龙头到货"})
    assert Request.objects.get(pk=order.pk).status == Status.AWAITING_PARTS


def test_the_reporters_phone_is_revealed_on_demand_and_logged(world, browser, crew):
    from linli.core.models import AuditEntry

    order = wo.report(world, crew)
    r = browser(world.technician).post(f"/workorders/staff/{world.a.id}/{order.id}/contact")
    assert "13800000001" in _text(r)
    assert AuditEntry.objects.filter(action="workorder_contact_read").count() == 1


def test_the_technician_goes_off_duty_and_grabs_from_the_pool(world, browser):
    crew = wo.crew(world, mode="grab")
    order = wo.report(world, crew)
    phone, base = browser(world.technician), f"/workorders/staff/{world.a.id}"
    assert "抢单池" in _text(phone.get(f"{base}/"))
    phone.post(f"{base}/{order.id}/act", {"action": "grab"})
    order.refresh_from_db()
    assert (order.status, order.assignee_id) == (Status.ASSIGNED, world.technician.id)
    phone.post(f"{base}/duty/", {"on_duty": "0"})
    crew.plumber.refresh_from_db()
    assert not crew.plumber.on_duty and "开始接单" in _text(phone.get(f"{base}/"))


# --- console ----------------------------------------------------------------------------------


def test_the_desk_accepts_and_assigns_from_the_dispatch_board(world, browser):
    crew = wo.crew(world, mode="manual")
    order = wo.report(world, crew)
    desk, base = browser(world.staff), f"/workorders/staff/{world.a.id}"
    board = _text(desk.get(f"{base}/dispatch/"))
    assert "水管漏水" in board and 'data-action="accept"' in board and 'data-action="assign"' in board
    assert "13800000001" not in board
    r = desk.post(
        f"{base}/{order.id}/act",
        {"action": "assign", "handler": crew.plumber.id, "next": f"{base}/dispatch/"},
    )
    assert r["Location"] == f"{base}/dispatch/"
    order.refresh_from_db()
    assert (order.status, order.assignee_id) == (Status.ASSIGNED, world.technician.id)
    desk.post(
        f"{base}/{order.id}/act", {"action": "transfer", "team": crew.grid_team.id, "reason": "公共区域"}
    )
    order.refresh_from_db()
    assert (order.status, order.team_id) == (Status.ACCEPTED, crew.grid_team.id)
    assert "水管漏水" not in _text(desk.get(f"{base}/dispatch/?status=closed"))
    assert "水管漏水" in _text(desk.get(f"{base}/dispatch/?building={world.building.id}"))


def test_the_desk_rejects_only_with_a_reason(world, browser):
    crew = wo.crew(world, mode="manual")
    order = wo.report(world, crew)
    desk, base = browser(world.staff), f"/workorders/staff/{world.a.id}"
    desk.post(f"{base}/{order.id}/act", {"action": "reject"})
    assert Request.objects.get(pk=order.pk).status == Status.SUBMITTED
    desk.post(f"{base}/{order.id}/act", {"action": "reject", "reason": "非物业责任"})
    assert Request.objects.get(pk=order.pk).status == Status.REJECTED


def test_the_boards_and_report_show_the_numbers(world, browser, crew):
    wo.report(world, crew)
    desk, base = browser(world.staff), f"/workorders/staff/{world.a.id}"
    sla = _text(desk.get(f"{base}/sla/?days=7"))
    assert "未完成" in sla and "1号楼" in sla
    assert "王建国" not in sla and "13800000001" not in sla
    performance = _text(desk.get(f"{base}/performance/"))
    assert "转手次数" in performance and "平均" in performance


def test_the_setup_pages_create_through_the_services(world, browser, crew):
    from linli.workorders.models import Category, Handler, PriceItem, SlaPolicy, Team

    admin, base = browser(world.admin), f"/workorders/staff/{world.a.id}"
    r = admin.post(
        f"{base}/categories/",
        {"name": "电梯故障", "code": "lift", "kind": "repair", "default_priority": "high"},
    )
    assert r.status_code == 302, _text(r)
    lift = Category.objects.get(code="lift")
    assert lift.slas.count() == 4  # the default deadlines
    r = admin.post(
        f"{base}/categories/{lift.id}/",
        {
            "priority": "high",
            "high-respond_minutes": 20,
            "high-resolve_minutes": 240,
            "high-working_time_only": "",
        },
    )
    assert r.status_code == 302, _text(r)
    policy = SlaPolicy.objects.get(category=lift, priority="high")
    assert (policy.respond_minutes, policy.resolve_minutes, policy.working_time_only) == (20, 240, False)
    r = admin.post(
        f"{base}/categories/{lift.id}/",
        {"priority": "low", "low-respond_minutes": 999, "low-resolve_minutes": 10},
    )
    assert "响应时限不能长于解决时限" in _text(r)
    admin.post(f"{base}/teams/", {"team-name": "电梯组", "team-kind": "property"})
    team = Team.objects.get(name="电梯组")
    admin.post(
        f"{base}/teams/",
        {"handler-team": team.id, "handler-user": world.technician.id, "handler-skills": "lift"},
    )
    assert Handler.objects.get(team=team).skill_list == ["lift"]
    admin.post(f"{base}/prices/", {"name": "上门费", "unit": "次", "price_fen": 3000})
    assert PriceItem.objects.filter(name="上门费").exists()
    r = admin.post(
        f"{base}/settings/",
        {
            "dispatch_mode": "grab",
            "reopen_days": 5,
            "auto_close_days": 3,
            "remind_before_minutes": 30,
        },
    )
    assert r.status_code == 302, _text(r)
    assert (setup.settings_of(world.a.id).dispatch_mode, setup.settings_of(world.a.id).reopen_days) == (
        "grab",
        5,
    )
    assert "电梯组" in _text(admin.get(f"{base}/teams/")) and "上门费" in _text(admin.get(f"{base}/prices/"))


def test_the_console_lists_the_workorder_pages_by_role(world, browser, crew):
    nav = _text(browser(world.admin).get(f"/workorders/staff/{world.a.id}/dispatch/"))
    assert all(label in nav for label in ("派单台", "时限看板", "类别与时限", "工单设置"))
    tech = _text(browser(world.technician).get(f"/workorders/staff/{world.a.id}/"))
    assert "我的工单" in tech and "工单设置" not in tech


CONSOLE_PAGES = ("dispatch/", "sla/", "categories/", "teams/", "prices/")


def test_each_page_refuses_who_may_not_open_it(world, browser, crew):
    order = wo.report(world, crew)
    base = f"/workorders/staff/{world.a.id}"
    pages = [f"{base}/{p}" for p in CONSOLE_PAGES] + [
        f"{base}/",
        f"{base}/{order.id}",
        f"{base}/performance/",
        f"{base}/settings/",
        f"{base}/categories/{crew.repair.id}/",
    ]
    for path in pages:
        assert browser(world.outsider).get(path).status_code in (302, 404), path
        assert browser(world.owner).get(path).status_code == 302, path  # residents go home
        assert browser().get(path).status_code == 302, path
    assert browser(world.staff).get(f"{base}/settings/").status_code == 200
    for path in (f"{base}/settings/", f"{base}/performance/"):
        assert browser(world.technician).get(path).status_code == 404, path
    assert browser(world.technician).post(f"{base}/settings/", {"dispatch_mode": "manual"}).status_code == 404
    assert browser(world.tenant).get(f"/workorders/staff/{world.a.id}/{order.id}").status_code == 302


def test_the_dispatch_board_costs_the_same_for_one_order_or_many(world, browser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    crew = wo.crew(world, mode="grab")
    desk, counts = browser(world.staff), []
    for n in (1, 10):
        while Request.objects.count() < n:
            wo.report(world, crew)
        with CaptureQueriesContext(connection) as queries:
            desk.get(f"/workorders/staff/{world.a.id}/dispatch/")
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_refused_photo_leaves_no_report_behind(world, browser, crew):
    bad = io.BytesIO(b"<script>alert(1)</script>")
    bad.name = "leak.jpg"
    r = browser(world.owner).post(
        f"/workorders/report/{crew.repair.id}/",
        {"description": "漏水", "house": world.house.id, "photo": bad},
    )
    assert r.status_code == 200 and "只能上传照片" in _text(r)
    assert not Request.objects.exists()


def test_the_reporter_sees_the_quote_and_approves_it(world, browser, crew):
    from linli.workorders.services import charges

    order = wo.report(world, crew)
    order = flow.do_transition(actor=world.technician, request=order, action="start")
    charges.do_add_charge(actor=world.technician, request=order, price_item=crew.price, quantity=1)
    order = flow.do_transition(actor=world.technician, request=order, action="ask_payment")
    phone = browser(world.owner)
    page = _text(phone.get(f"/workorders/my/{order.id}"))
    assert "更换水龙头" in page and "¥80.00" in page and "同意付费维修" in page
    phone.post(f"/workorders/my/{order.id}/act", {"action": "approve_payment"})
    assert Request.objects.get(pk=order.pk).status == Status.IN_PROGRESS


def test_the_desk_enters_a_request_for_a_resident_on_the_phone(world, browser, crew):
    desk, base = browser(world.staff), f"/workorders/staff/{world.a.id}"
    assert "代报工单" in _text(desk.get(f"{base}/dispatch/"))
    r = desk.post(
        f"{base}/new/",
        {
            "category": crew.repair.id,
            "description": "住户来电：楼道水管漏水",
            "building": world.building.id,
            "place": "3楼楼道",
            "contact_name": "王建国",
            "contact_phone": "13800000001",
        },
    )
    order = Request.objects.get()
    assert r["Location"] == f"{base}/{order.id}"
    assert (order.source, order.entered_by_id, order.building_id) == ("staff", None, world.building.id)
    assert order.status == Status.ASSIGNED  # dispatched the community's way
    assert browser(world.technician).get(f"{base}/new/").status_code == 404


def test_the_timeline_names_an_escalation_and_shows_an_unknown_event_by_its_code(world, browser, crew):
    from django.utils import timezone

    order = wo.report(world, crew)
    for action in ("escalate", "patrol_found"):
        order.events.create(community=world.a, at=timezone.now(), action=action, to_status=order.status)
    page = _text(browser(world.staff).get(f"/workorders/staff/{world.a.id}/{order.id}"))
    assert "超时升级" in page and "patrol_found" in page
