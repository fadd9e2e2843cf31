"""Benchmark: bulk registry import of 10,000 households (~26,000 residents) from .xlsx.

Builds the two spreadsheets as Excel saves them (30 buildings of houses, then residents with
valid ID numbers), imports each into a fresh SQLite database as a dry run and as a commit,
exports the residents again, and prints one JSON line per figure. Budget (docs/import.md):
both commits together under 20 s on the 2-core development machine.

    .venv/bin/python bench/registry_import.py
"""

import io
import random
from datetime import date, timedelta

from _setup import emit, log, setup_django, timed

BENCH = "registry_import"
HOUSEHOLDS = 10_000
BUILDINGS = 30
UNITS = 2
FLOORS = 28
PER_FLOOR = 6
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红娥玲芬建国志海燕雪梅晓东子涵浩宇欣怡"


def workbook_bytes(header: list[str], rows) -> bytes:
    """Laid out as Excel saves it: a shared-strings table and the sheet's dimension up front."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def house_keys() -> list[tuple]:
    keys = [
        (f"{b}号楼", f"{u}单元", f"{floor}{door:02d}", floor)
        for b in range(1, BUILDINGS + 1)
        for u in range(1, UNITS + 1)
        for floor in range(1, FLOORS + 1)
        for door in range(1, PER_FLOOR + 1)
    ]
    return keys[:HOUSEHOLDS]


def houses_file(keys, rng: random.Random) -> bytes:
    rows = [[b, u, n, floor, "住宅", f"{rng.uniform(45, 160):.2f}"] for b, u, n, floor in keys]
    from linli.registry.io.columns import HOUSES  # after setup_django

    return workbook_bytes([c.header for c in HOUSES.columns], rows)


def residents_file(keys, rng: random.Random) -> tuple[bytes, int]:
    """An owner per house; 20% let to a tenant with 0-2 family, the rest with 0-3 family."""
    from linli.demo.identifiers import make_id_number, make_phone

    used: set[str] = set()

    def person(born_from: int, born_to: int) -> tuple[str, str]:
        while True:  # random ID numbers collide now and then; one number is one person
            born = date(rng.randint(born_from, born_to), rng.randint(1, 12), rng.randint(1, 28))
            number = make_id_number(rng, born=born)
            if number not in used:
                used.add(number)
                return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), number

    rows = []
    for b, u, n, _floor in keys:
        since = date(2010, 1, 1) + timedelta(days=rng.randint(0, 4000))
        name, number = person(1950, 1990)
        rows.append([b, u, n, name, number, make_phone(rng), "业主", since.isoformat(), None, "本地"])
        if rng.random() < 0.2:
            start = date(2024, rng.randint(1, 12), 1)
            end = (start + timedelta(days=365 * rng.randint(1, 3) - 1)).isoformat()
            name, number = person(1970, 2000)
            rows.append([b, u, n, name, number, make_phone(rng), "租客", start.isoformat(), end, "外地"])
            for _ in range(rng.randint(0, 2)):
                name, number = person(1970, 2020)
                rows.append([b, u, n, name, number, None, "家属", start.isoformat(), end, "外地"])
        else:
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                name, number = person(1950, 2020)
                phone = make_phone(rng) if rng.random() < 0.5 else None
                rows.append([b, u, n, name, number, phone, "家属", since.isoformat(), None, "本地"])
    from linli.registry.io.columns import RESIDENTS

    return workbook_bytes([c.header for c in RESIDENTS.columns], rows), len(rows)


def main() -> None:
    setup_django(BENCH)
    from linli.registry.io.export import export_registry
    from linli.registry.io.services import do_import_registry
    from linli.testing import factories as f

    rng = random.Random(20240601)
    keys = house_keys()
    houses = houses_file(keys, rng)
    residents, people = residents_file(keys, rng)
    log(
        f"houses.xlsx {len(houses) / 1e6:.1f} MB, residents.xlsx {len(residents) / 1e6:.1f} MB, {people} residents"
    )

    community = f.community("bench", "基准小区")
    actor = f.staff(community, "property_manager", "bench")

    def run(kind: str, data: bytes, dry_run: bool) -> float:
        with timed() as elapsed:
            report = do_import_registry(
                actor=actor,
                community=community,
                kind=kind,
                filename=f"{kind}.xlsx",
                data=data,
                dry_run=dry_run,
            )
        if not report.ok:
            raise SystemExit(f"unexpected errors: {[e.as_dict() for e in report.errors[:5]]}")
        log(f"{kind} dry_run={dry_run}: {report.counts}")
        return elapsed()

    emit(BENCH, "import_10k_houses_xlsx_dry_run", run("houses", houses, True), "s", HOUSEHOLDS)
    houses_commit = run("houses", houses, False)
    emit(BENCH, "import_10k_houses_xlsx_commit", houses_commit, "s", HOUSEHOLDS)
    emit(BENCH, "import_residents_xlsx_dry_run", run("residents", residents, True), "s", people)
    residents_commit = run("residents", residents, False)
    emit(BENCH, "import_residents_xlsx_commit", residents_commit, "s", people)
    emit(BENCH, "import_10k_households_xlsx_commit", houses_commit + residents_commit, "s", HOUSEHOLDS)
    emit(BENCH, "import_residents_rows_per_second", people / residents_commit, "rows/s", people)

    for fmt in ("xlsx", "csv"):
        with timed() as elapsed:
            sheet = export_registry(actor=actor, community=community, kind="residents", fmt=fmt)
        log(f"residents.{fmt} export: {len(sheet.content) / 1e6:.1f} MB")
        emit(BENCH, f"export_residents_{fmt}_masked", elapsed(), "s", people)


if __name__ == "__main__":
    main()
