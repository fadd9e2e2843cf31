"""English is switchable everywhere; the catalogue is complete and compiled; pages stay light."""

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import timezone, translation

from linli.core.shell.formatting import day_label
from linli.web.tests.conftest import text_of

LOCALE = Path(settings.BASE_DIR) / "linli" / "locale" / "en" / "LC_MESSAGES"


def _english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_it_switches_the_resident_pages_to_english(world, browser):
    client = _english(browser(world.owner))
    page = text_of(client.get("/"))
    assert '<html lang="en"' in page
    assert "My homes" in page and "My household" in page and "我的房屋" not in page
    assert "Owner" in page and "Tenant" in page  # other apps' choice labels too


def test_it_shows_other_apps_errors_in_english(world, browser):
    client = _english(browser(world.owner))
    r = client.post(
        f"/houses/{world.house.id}/register/",
        {"relation": "tenant", "name": "Sun", "valid_from": timezone.localdate().isoformat()},
    )
    assert "A tenant needs a lease end date" in text_of(r)


def test_it_switches_the_staff_console_to_english(world, browser):
    page = text_of(_english(browser(world.staff)).get(f"/staff/c/{world.a.id}/"))
    assert (
        "Resident population" in page
        and "Data &amp; big screens" in page
        and "Buildings &amp; houses" in page
    )


def test_it_formats_days_as_ux_md_says_in_both_languages():
    day = timezone.localdate().replace(month=11, day=21)
    weekday_zh = "一二三四五六日"[day.weekday()]
    assert day_label(day) == f"11月21日 周{weekday_zh}"
    with translation.override("en"):
        assert re.fullmatch(r"[A-Z][a-z]{2}, Nov 21", day_label(day))
        assert day_label(day.replace(year=2020)) == "Sat, Nov 21, 2020"


def _unescape(text: str) -> str:
    return text.encode().decode("unicode_escape").encode("latin-1").decode()


def test_it_has_every_msgid_translated_and_compiled():
    po = (LOCALE / "django.po").read_text()
    entry = re.compile(
        r'(?:msgctxt "((?:[^"\\]|\\.)*)"\n)?msgid "((?:[^"\\]|\\.)+)"\n'
        r'(msgid_plural[^\n]*\n)?msgstr(?:\[0\])? "((?:[^"\\]|\\.)*)"'
    )
    entries = entry.findall(po)
    assert len(entries) > 400
    assert [msgid for _ctx, msgid, _plural, msgstr in entries if not msgstr] == []
    with (LOCALE / "django.mo").open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    stale = []
    for ctx, msgid, plural, msgstr in entries:
        key = _unescape(f"{ctx}\x04{msgid}" if ctx else msgid)
        compiled = catalog.get((key, 0) if plural else key)
        if compiled != _unescape(msgstr):
            stale.append(msgid)
    assert stale == [], "run compilemessages"


def test_it_keeps_pages_under_100_kb_before_images(world, browser):
    static = sum(
        Path(finders.find(name)).stat().st_size
        for name in ("linli/css/linli.css", "linli/vendor/htmx-2.0.11.min.js")
    )
    pages = {
        world.owner: ["/", f"/houses/{world.house.id}/", "/me/"],
        world.staff: [f"/staff/c/{world.a.id}/", f"/staff/c/{world.a.id}/houses/{world.house.id}/"],
    }
    for user, paths in pages.items():
        client = browser(user)
        for path in paths:
            weight = len(client.get(path).content) + static
            assert weight < 100 * 1024, (path, weight)


def test_it_formats_money_from_integer_fen_and_times_in_shanghai():
    from datetime import UTC, datetime

    from linli.core.shell.formatting import moment_label, yuan

    assert yuan(123450) == "¥1,234.50"
    assert yuan(-5) == "-¥0.05"
    assert yuan(0) == "¥0.00"
    # 06:30 UTC is 14:30 in Asia/Shanghai.
    moment = datetime(timezone.localdate().year, 11, 21, 6, 30, tzinfo=UTC)
    assert moment_label(moment).endswith(" 14:30")
    assert moment_label(moment).startswith("11月21日 周")
