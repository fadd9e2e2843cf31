"""Benchmark: bulk registry import of 10,000 households (~25,000 residents) from .xlsx.

Builds the two spreadsheets (30 buildings of houses, then residents with valid ID numbers),
imports each into a fresh SQLite database as a dry run and as a commit, and prints one JSON
line per figure. Budget (docs/import.md): both commits together under 20 s on 2 cores.

    .venv/bin/python bench/registry_import.py
"""

import io
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HOUSEHOLDS = 10_000
BUILDINGS = 30
UNITS = 2
FLOORS = 28
PER_FLOOR = 6
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬建国建华志强海燕雪梅晓东子涵浩宇欣怡"
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def setup_django(var_dir: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "linli.settings"
    os.environ["LINLI_VAR_DIR"] = var_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ["LINLI_TASKS_BACKEND"] = "immediate"
    os.environ.setdefault("LINLI_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


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


def house_keys():
    keys = []
    for b in range(1, BUILDINGS + 1):
        for u in range(1, UNITS + 1):
            for floor in range(1, FLOORS + 1):
                for door in range(1, PER_FLOOR + 1):
                    keys.append((f"{b}号楼", f"{u}单元", f"{floor}{door:02d}", floor))
    return keys[:HOUSEHOLDS]


def houses_file(keys, rng: random.Random) -> bytes:
    rows = [[b, u, n, floor, "住宅", f"{rng.uniform(45, 160):.2f}"] for b, u, n, floor in keys]
    return workbook_bytes(["楼栋", "单元", "房号", "楼层", "类型", "建筑面积"], rows)


def residents_file(keys, rng: random.Random) -> tuple[bytes, int]:
    from linli.testing.factories import make_id_number, make_phone

    used: set[str] = set()

    def person(born_from: int, born_to: int) -> tuple[str, str]:
        while True:
            number = make_id_number(
                rng, born=date(rng.randint(born_from, born_to), rng.randint(1, 12), rng.randint(1, 28))
            )
            if number not in used:
                used.add(number)
                return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), number

    rows = []
    for b, u, n, _floor in keys:
        since = date(2010, 1, 1) + timedelta(days=rng.randint(0, 4000))
        name, number = person(1950, 1990)
        rows.append([b, u, n, name, number, make_phone(rng), "业主", since.isoformat(), None, "本地"])
        if rng.random() < 0.2:  # let: a tenant and their family, on a lease
            start = date(2024, rng.randint(1, 12), 1)
            end = start + timedelta(days=365 * rng.randint(1, 3) - 1)
            name, number = person(1970, 2000)
            rows.append(
                [b, u, n, name, number, make_phone(rng), "租客", start.isoformat(), end.isoformat(), "外地"]
            )
            for _ in range(rng.randint(0, 2)):
                name, number = person(1970, 2020)
                rows.append([b, u, n, name, number, None, "家属", start.isoformat(), end.isoformat(), "外地"])
        else:
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                name, number = person(1950, 2020)
                phone = make_phone(rng) if rng.random() < 0.5 else None
                rows.append([b, u, n, name, number, phone, "家属", since.isoformat(), None, "本地"])
    header = ["楼栋", "单元", "房号", "姓名", "身份证号", "手机号", "关系", "起始日期", "截止日期", "户籍"]
    return workbook_bytes(header, rows), len(rows)


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def emit(metric: str, value: float, unit: str, n: int) -> None:
    print(
        json.dumps(
            {"bench": "registry_import", "metric": metric, "value": round(value, 2), "unit": unit, "n": n}
        )
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="linli-bench-") as var_dir:
        setup_django(var_dir)
        from linli.registry.io.services import do_import_registry
        from linli.testing import factories as f

        rng = random.Random(20240601)
        keys = house_keys()
        houses = houses_file(keys, rng)
        residents, resident_rows = residents_file(keys, rng)
        log(
            f"houses.xlsx {len(houses) / 1e6:.1f} MB, residents.xlsx {len(residents) / 1e6:.1f} MB, {resident_rows} residents"
        )

        community = f.community("bench", "基准小区")
        actor = f.staff(community, "property_manager", "bench")

        def run(kind: str, data: bytes, dry_run: bool):
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

        _, houses_dry = timed(lambda: run("houses", houses, True))
        emit("import_10k_houses_xlsx_dry_run", houses_dry, "s", HOUSEHOLDS)
        _, houses_commit = timed(lambda: run("houses", houses, False))
        emit("import_10k_houses_xlsx_commit", houses_commit, "s", HOUSEHOLDS)
        _, residents_dry = timed(lambda: run("residents", residents, True))
        emit("import_residents_xlsx_dry_run", residents_dry, "s", resident_rows)
        _, residents_commit = timed(lambda: run("residents", residents, False))
        emit("import_residents_xlsx_commit", residents_commit, "s", resident_rows)
        emit("import_10k_households_xlsx_commit", houses_commit + residents_commit, "s", HOUSEHOLDS)
        emit("import_residents_rows_per_second", resident_rows / residents_commit, "rows/s", resident_rows)

        from linli.registry.io.export import export_registry

        for fmt in ("xlsx", "csv"):
            sheet, seconds = timed(
                lambda fmt=fmt: export_registry(actor=actor, community=community, kind="residents", fmt=fmt)
            )
            log(f"residents.{fmt} export: {len(sheet.content) / 1e6:.1f} MB")
            emit(f"export_residents_{fmt}_masked", seconds, "s", resident_rows)


if __name__ == "__main__":
    main()
