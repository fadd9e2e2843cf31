"""Monthly reports (DASH-3) through the console's pages: their contents against hand-counted
daily figures (the .xlsx opened with openpyxl, the PDF's text read back), suppression of small
counts of people, who may download them, and the monthly job's one delivery to the inbox."""

import base64
import io
import re
import zlib
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from linli.dashboards import periodic
from linli.dashboards.gov_period import last_day, previous_month
from linli.dashboards.models import DailyFigure, MonthlyReport
from linli.notify.models import Notification
from linli.testing import factories as f
from linli.testing.personas import build_narrowed

pytestmark = pytest.mark.django_db

MONTH = previous_month(timezone.localdate())
LAST = last_day(MONTH)
LABEL = f"{MONTH:%Y-%m}"


@pytest.fixture
def figures(world):
    """Community A's last month, counted by hand: 60 people on its last day (1号楼 40, 2号楼 17,
    3号楼 3), 58 the day before; five requests and four resolutions over two days; five alarms;
    ¥10,000.00 due and ¥8,500.00 paid."""
    a, b1 = world.a, world.building
    b2, b3 = f.building(a, "2号楼"), f.building(a, "3号楼")
    d1, d5 = MONTH, MONTH + timedelta(days=4)
    rows = [
        (LAST, "population.real", "", 60),
        (LAST - timedelta(days=1), "population.real", "", 58),
        (LAST, "population.real", f"building:{b1.id}", 40),
        (LAST, "population.real", f"building:{b2.id}", 17),
        (LAST, "population.real", f"building:{b3.id}", 3),
        (LAST, "population.floating", "", 12),
        (LAST, "population.floating", f"building:{b1.id}", 12),
        (LAST, "population.tenants", "", 9),
        (LAST, "population.households", "", 25),
        (LAST, "population.age", "band:0-5", 4),
        (LAST, "population.age", "band:18-59", 40),
        (LAST, "population.age", "band:60-79", 16),
        (LAST, "population.special", "kind:elderly_alone", 2),
        (LAST, "population.special", "kind:disabled", 6),
        (LAST, "housing.houses", "", 30),
        (LAST, "housing.occupied", "", 25),
        (LAST, "housing.rented", "", 9),
        (LAST, "housing.vacant", "", 5),
        (LAST, "housing.houses", f"building:{b3.id}", 10),
        (LAST, "housing.vacant", f"building:{b3.id}", 4),
        (d1, "requests.opened", "", 3),
        (d1, "requests.opened", "category:漏水", 2),
        (d1, "requests.opened", "category:电梯", 1),
        (d1, "requests.resolved", "", 1),
        (d1, "requests.resolved", "category:漏水", 1),
        (d1, "requests.resolve_minutes", "", 120),
        (d1, "requests.resolve_minutes", "category:漏水", 120),
        (d5, "requests.opened", "", 2),
        (d5, "requests.opened", "category:漏水", 2),
        (d5, "requests.resolved", "", 3),
        (d5, "requests.resolved", "category:漏水", 2),
        (d5, "requests.resolved", "category:电梯", 1),
        (d5, "requests.resolve_minutes", "", 360),
        (d5, "requests.resolve_minutes", "category:漏水", 300),
        (d5, "requests.resolve_minutes", "category:电梯", 60),
        (MONTH - timedelta(days=1), "requests.opened", "", 100),  # the month before: not counted
        (LAST, "requests.open", "", 7),
        (LAST, "requests.overdue", "", 2),
        (d1 + timedelta(days=1), "alarms.raised", "severity:critical", 1),
        (d1 + timedelta(days=1), "alarms.raised", "type:smoke", 1),
        (d1 + timedelta(days=2), "alarms.raised", "severity:warning", 4),
        (d1 + timedelta(days=2), "alarms.raised", "type:water_level", 4),
        (LAST, "alarms.active", "severity:critical", 1),
        (LAST, "fees.due", "", 1_000_000),
        (LAST, "fees.paid", "", 850_000),
    ]
    DailyFigure.objects.bulk_create(
        DailyFigure(community=a, day=day, metric=m, part=p, value=v) for day, m, p, v in rows
    )
    return {"b1": b1, "b2": b2, "b3": b3}


def download(world, kind: str, fmt: str, user=None, month: str = LABEL):
    client = Client()
    client.force_login(user or world.admin)
    return client.get(f"/staff/{world.a.id}/dashboards/reports/{kind}.{fmt}", {"month": month})


def sheets(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def pdf_text(content: bytes) -> list[str]:
    """The strings drawn on the pages (the CID font's UCS-2 read back as text)."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        raw = raw.strip()
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw[:-2])
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            pass
        streams.append(raw.decode("latin-1"))
    found = []
    for literal in re.findall(r"\(((?:\\.|[^\\)])*)\)\s*Tj", "\n".join(streams)):
        text = re.sub(r"\\([0-7]{1,3}|.)", lambda m: chr(int(m[1], 8)) if m[1].isdigit() else m[1], literal)
        try:
            found.append(text.encode("latin-1").decode("utf-16-be"))
        except UnicodeDecodeError:
            found.append(text)
    return found


def pages(content: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", content))


def test_the_population_report_counts_and_hides_small_counts_of_people(world, figures):
    book = sheets(download(world, "population", "xlsx"))
    assert book["报表"][:3] == [("报表", "人口报表"), ("社区", "幸福里小区"), ("月份", LABEL)]
    assert book["概况"] == [
        ("指标", "数值"),
        ("实有人口", 60),
        ("流动人口", 12),
        ("租住人口", 9),
        ("实住户数", 25),
    ]
    ages = dict(book["年龄段"][1:])
    # 4 + 0 + 0 + 0 hidden would still be a small count: 60-79's 16 goes too, marked "*".
    assert ages == {"0-5岁": "<5", "6-17岁": "<5", "18-59岁": 40, "60-79岁": "*", "80+岁": "<5", "不详": "<5"}
    special = dict(book["特殊人群（本人同意登记的关爱对象）"][1:])
    assert (special["独居老人"], special["残疾人"], special["留守儿童"]) == ("<5", 6, "<5")
    # 3号楼's 3 are hidden, and 2号楼 with them: 60 - 40 - 17 would give 3号楼 away. Floating:
    # 2号楼 and 3号楼 have none, and 1号楼's 12 next to the total would say so.
    assert book["分楼栋"][1:] == [("1号楼", 40, "*"), ("2号楼", "*", "<5"), ("3号楼", "<5", "<5")]
    daily = dict((row[0], row[1]) for row in book["图表数据：每日实有与流动人口"][1:])
    assert (daily[str(LAST.day - 1)], daily[str(LAST.day)], daily["1"]) == (58, 60, "<5")
    how = {row[0]: row[2] for row in book["口径说明"][1:]}
    assert how["实有人口"].startswith("当日在本社区居住")


def test_the_workorders_report_sums_the_month_only(world, figures):
    book = sheets(download(world, "workorders", "xlsx"))
    assert dict(book["概况"][1:]) == {
        "新增": 5,
        "办结": 4,
        "平均办结用时（小时）": "2.0",
        "月末未办结": 7,
        "月末超时": 2,
    }
    assert book["按类别"][1:] == [("漏水", 4, 3, "2.3"), ("电梯", 1, 1, "1.0")]


def test_the_alarms_fees_and_housing_reports(world, figures):
    alarms = sheets(download(world, "alarms", "xlsx"))
    assert alarms["按级别"][1:] == [("紧急", 1, 1), ("重要", 0, 0), ("次要", 0, 0), ("提示", 4, 0)]
    assert alarms["按类型"][1:] == [("water_level", 4), ("smoke", 1)]
    fees = sheets(download(world, "fees", "xlsx"))
    assert fees["本月收缴"][1:] == [("¥10,000.00", "¥8,500.00", "85.0%")]
    housing = sheets(download(world, "housing", "xlsx"))
    assert housing["概况"][1:] == [("住宅总数", 30), ("在住", 25), ("出租", 9), ("空置", 5)]
    assert ("3号楼", 10, 0, 0, 4) in housing["分楼栋"]


def test_the_votes_report_shows_titles_and_shares_only(world, figures):
    from linli.engage.services import votes_ballots
    from linli.testing.engage_votes import open_vote

    vote = open_vote(world, title="续聘物业服务企业")
    votes_ballots.do_cast_ballot(actor=world.owner, vote=vote, choice="for")
    book = sheets(download(world, "votes", "xlsx", month=f"{timezone.localdate():%Y-%m}"))
    rows = book["本月进行的表决"]
    assert rows[1][:4] == ("续聘物业服务企业", "投票中", "1/2", "50.0%")
    text = str(rows)
    assert "王建国" not in text and "301" not in text
    assert sheets(download(world, "votes", "xlsx"))["本月进行的表决"] == [rows[0]]  # last month: none


def test_the_pdf_is_a_chinese_pdf_with_pages_tables_and_charts(world, figures):
    r = download(world, "population", "pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == f'attachment; filename="population-{LABEL}.pdf"'
    assert r.content.startswith(b"%PDF-") and r.content.rstrip().endswith(b"%%EOF")
    assert pages(r.content) >= 1
    assert b"/BaseFont /STSong-Light" in r.content
    text = pdf_text(r.content)
    for expected in (
        "幸福里小区 · 人口报表",
        "实有人口",
        "60",
        "<5",
        "年龄段人口",
        "每日实有与流动人口",
        "口径说明",
    ):
        assert expected in text, expected
    assert "3" not in text[text.index("分楼栋") : text.index("年龄段人口")]  # 3号楼's 3 people stay hidden


@pytest.mark.parametrize(
    "kind", ["population", "housing", "fees", "workorders", "alarms", "votes", "satisfaction"]
)
def test_every_report_renders_in_both_formats_even_for_an_empty_month(world, kind):
    assert download(world, kind, "pdf").content.startswith(b"%PDF-")
    assert sheets(download(world, kind, "xlsx"))["报表"][0][0] == "报表"


def test_a_bad_month_or_kind_is_refused(world, figures):
    assert download(world, "population", "xlsx", month="2026-13").status_code == 422
    assert download(world, "population", "xlsx", month="2999-01").status_code == 422
    assert download(world, "houses", "xlsx").status_code == 404
    client = Client()
    client.force_login(world.admin)
    r = client.get(f"/staff/{world.a.id}/dashboards/reports/", {"month": "last"})
    assert r.status_code == 422 and "月份格式应为" in r.content.decode()


def test_the_page_offers_each_report_to_those_who_read_the_whole_community(world, figures):
    client = Client()
    client.force_login(world.admin)
    r = client.get(f"/staff/{world.a.id}/dashboards/reports/", {"month": LABEL})
    page = r.content.decode()
    assert r.status_code == 200 and "显示为 &lt;5" in page
    for kind in ("population", "housing", "fees", "workorders", "alarms", "votes", "satisfaction"):
        assert f"/staff/{world.a.id}/dashboards/reports/{kind}.pdf?month={LABEL}" in page
    assert f'href="/staff/{world.a.id}/dashboards/reports/"' in page  # the navigation's 报表
    narrowed = build_narrowed(world)
    for user in (
        world.front_desk,
        narrowed.grid_worker,
        world.outsider,
    ):  # no stats.view; narrowed; elsewhere
        assert download(world, "population", "xlsx", user=user).status_code == 404
    assert download(world, "population", "xlsx", user=world.grid_worker).status_code == 200


def test_the_monthly_job_delivers_last_months_reports_once(world, figures):
    now = timezone.now()
    assert periodic.issue_monthly_reports(now) == 1
    assert periodic.issue_monthly_reports(now + timedelta(hours=1)) == 0
    assert MonthlyReport.objects.filter(community=world.a, month=MONTH).count() == 7
    messages = Notification.objects.filter(kind="dashboards.monthly_reports")
    recipients = set(messages.values_list("recipient_id", flat=True))
    assert {world.admin.id, world.staff.id} <= recipients  # the community admin, the property manager
    assert world.front_desk.id not in recipients  # who may not read the community's statistics
    assert messages.filter(recipient=world.admin).count() == 1
    message = messages.get(recipient=world.admin)
    assert message.link == f"/staff/{world.a.id}/dashboards/reports/?month={LABEL}"
    assert f"/staff/{world.a.id}/dashboards/reports/population.pdf?month={LABEL}" in message.body
    # the page marks what was issued, and the links in the message download
    client = Client()
    client.force_login(world.admin)
    assert "已生成" in client.get(message.link).content.decode()
    assert download(world, "fees", "pdf").status_code == 200
