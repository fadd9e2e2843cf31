import random
from datetime import date, datetime

import pytest

from linli.core.crypto import blind_index
from linli.core.models import AuditEntry, OutboxEvent
from linli.demo.identifiers import make_id_number
from linli.registry.models import Occupancy, Person
from linli.registry.tests.test_import_support import (
    RESIDENT_HEADER,
    errors_of,
    registry_counts,
    upload,
    xlsx,
)
from linli.testing import factories as f

rng = random.Random(7)
ID_ZHOU = make_id_number(rng, born=date(1980, 5, 17), male=True)
ID_WU = make_id_number(rng, born=date(1985, 2, 3), male=False)
ID_CHILD = make_id_number(rng, born=date(2015, 9, 1))


@pytest.fixture
def flats(world):
    """Two empty flats next to the world's two occupied ones."""
    unit = world.house.unit
    return f.house(unit, "401", floor=4), f.house(unit, "402", floor=4)


def test_it_imports_residents_finding_each_person_once(world, api, flats):
    rows = [
        ("1号楼", "1单元", "401", "周建华", ID_ZHOU, "13912345678", "业主", "2019-06-01", "", "本地"),
        ("1号楼", "1单元", "401", "周小宝", ID_CHILD, "", "家属", "2019-06-01", "", ""),
        ("1号楼", "1单元", "402", "周建华", ID_ZHOU, "13912345678", "业主", "2021-01-01", "", "本地"),
        ("1号楼", "1单元", "402", "吴丽", ID_WU, "139-1234-0000", "租客", "2024-03-01", "2027-02-28", "外地"),
        ("1号楼", "1单元", "402", "吴奶奶", "", "", "家属", "2024-03-01", "2027-02-28", "外地"),
    ]
    before = registry_counts()
    r = upload(api(world.staff), world.a.id, "residents", xlsx(RESIDENT_HEADER, rows), dry_run=False)
    assert r.status_code == 201, r.content
    counts = r.json()["counts"]
    assert (counts["people"], counts["existing_people"], counts["occupancies"]) == (4, 0, 5)
    after = registry_counts()
    assert after["Person"] - before["Person"] == 4
    assert after["Occupancy"] - before["Occupancy"] == 5
    assert after["AuditEntry"] - before["AuditEntry"] == 1

    zhou = Person.objects.get(id_number_bidx=blind_index("id_number", ID_ZHOU))
    assert (zhou.name, zhou.id_number, zhou.phone) == ("周建华", ID_ZHOU, "13912345678")
    assert (zhou.birth_date, zhou.gender, zhou.hukou_local) == (date(1980, 5, 17), "M", True)
    assert sorted(zhou.occupancies.values_list("house__number", flat=True)) == ["401", "402"]
    wu = Person.objects.get(name="吴丽")
    assert (wu.phone, wu.hukou_local, wu.gender) == ("13912340000", False, "F")
    lease = wu.occupancies.get()
    assert (lease.relation, lease.valid_from, lease.valid_to) == (
        "tenant",
        date(2024, 3, 1),
        date(2027, 2, 28),
    )
    assert lease.registered_by == world.staff
    grandma = Person.objects.get(name="吴奶奶")
    assert grandma.id_number == "" and grandma.id_number_bidx is None
    assert AuditEntry.objects.get(action="import").after["occupancies"] == 5


def test_it_adds_a_known_person_to_another_house_without_duplicating_them(world, api, flats):
    known = world.owner_person
    rows = [("1号楼", "1单元", "401", known.name, known.id_number, "", "共有人", "2022-01-01", "", "")]
    r = upload(api(world.staff), world.a.id, "residents", xlsx(RESIDENT_HEADER, rows), dry_run=False)
    assert r.status_code == 201, r.content
    assert (r.json()["counts"]["people"], r.json()["counts"]["existing_people"]) == (0, 1)
    assert known.occupancies.filter(house=flats[0], relation="co_owner").exists()
    # The owner has the app: the new registration reaches them.
    assert OutboxEvent.objects.filter(topic="registry.occupancy_added", user_id=world.owner.id).exists()


def test_it_links_a_newcomer_to_the_login_that_has_their_phone(world, api, flats):
    login = f.user("newcomer", phone="13700001111")
    rows = [("1号楼", "1单元", "401", "孙悦", ID_WU, "13700001111", "业主", "2023-01-01", "", "")]
    r = upload(api(world.staff), world.a.id, "residents", xlsx(RESIDENT_HEADER, rows), dry_run=False)
    assert r.status_code == 201, r.content
    assert Person.objects.get(name="孙悦").user == login


def test_it_accepts_excel_date_cells(world, api, flats):
    rows = [
        ("1号楼", "1单元", "401", "周建华", ID_ZHOU, "", "租客", datetime(2024, 1, 1), date(2025, 12, 31), "")
    ]
    r = upload(api(world.staff), world.a.id, "residents", xlsx(RESIDENT_HEADER, rows), dry_run=False)
    assert r.status_code == 201, r.content
    lease = Occupancy.objects.get(person__name="周建华")
    assert (lease.valid_from, lease.valid_to) == (date(2024, 1, 1), date(2025, 12, 31))


GOOD = ("1号楼", "1单元", "401", "周建华", ID_ZHOU, "13912345678", "业主", "2019-06-01", "", "本地")


def _row(**changes):
    columns = [
        "building",
        "unit",
        "number",
        "name",
        "id_number",
        "phone",
        "relation",
        "start",
        "end",
        "hukou",
    ]
    row = dict(zip(columns, GOOD, strict=True)) | changes
    return tuple(row.values())


BAD = [
    (
        "bad ID checksum",
        [_row(id_number=ID_ZHOU[:-1] + ("0" if ID_ZHOU[-1] != "0" else "1"))],
        "身份证号",
        "invalid_id_number",
    ),
    ("bad phone", [_row(phone="1234567")], "手机号", "invalid_phone"),
    ("unknown house", [_row(number="999")], "房号", "unknown_house"),
    ("bad relation", [_row(relation="朋友")], "关系", "invalid_relation"),
    ("tenant without end", [_row(relation="租客")], "截止日期", "lease_end_required"),
    ("end before start", [_row(relation="租客", end="2019-01-01")], "截止日期", "lease_ends_before_start"),
    ("bad date", [_row(start="2019年6月1日")], "起始日期", "invalid_date"),
    ("impossible date", [_row(start="2019-02-30")], "起始日期", "invalid_date"),
    ("missing name", [_row(name="")], "姓名", "required"),
    ("bad hukou", [_row(hukou="北京")], "户籍", "invalid_hukou"),
    ("owner exists in DB", [_row(number="301")], "关系", "house_has_owner"),
    (
        "second owner in the file",
        [_row(id_number=ID_WU, name="吴丽"), _row()],
        "关系",
        "house_has_owner",
    ),
    (
        "same ID, other name in the file",
        [_row(number="402", relation="家属"), _row(name="周建国")],
        "身份证号",
        "duplicate_id_number",
    ),
    ("ID in the DB under another name", [_row(id_number="__owner__")], "身份证号", "duplicate_id_number"),
    (
        "same relation twice",
        [_row(relation="家属", number="402"), _row(relation="家属", number="402")],
        "关系",
        "duplicate_occupancy",
    ),
]


@pytest.mark.parametrize(("case", "rows", "column", "code"), BAD, ids=[b[0] for b in BAD])
def test_it_reports_a_bad_resident_row_and_commits_nothing(world, api, flats, case, rows, column, code):
    rows = [tuple(world.owner_person.id_number if v == "__owner__" else v for v in row) for row in rows]
    fine = ("1号楼", "1单元", "402", "郑好", "", "", "业主", "2020-01-01", "", "")
    data = xlsx(RESIDENT_HEADER, [fine, *rows])
    bad_row = len(rows) + 2  # header, the fine row, then the case's rows: the last one is bad
    client = api(world.staff)
    dry = upload(client, world.a.id, "residents", data)
    assert dry.status_code == 200
    assert errors_of(dry) == [(bad_row, column, code)]

    before = registry_counts()
    r = upload(client, world.a.id, "residents", data, dry_run=False)
    assert r.status_code == 422
    assert errors_of(r) == [(bad_row, column, code)]
    assert registry_counts() == before


def test_it_lets_a_new_owner_follow_one_whose_ownership_ended(world, api, flats):
    rows = [
        _row(id_number=ID_WU, name="吴丽", end="2020-12-31"),
        _row(start="2021-01-01"),  # sold on: no overlap, so not a second owner
    ]
    r = upload(api(world.staff), world.a.id, "residents", xlsx(RESIDENT_HEADER, rows))
    assert r.json()["errors"] == []


def test_it_hides_the_residents_import_from_an_outsider(world, api, flats):
    data = xlsx(RESIDENT_HEADER, [GOOD])
    assert upload(api(world.outsider), world.a.id, "residents", data).status_code == 404
    assert upload(api(world.technician), world.a.id, "residents", data).status_code == 403
    assert upload(api(world.admin), world.a.id, "residents", data).status_code == 200
