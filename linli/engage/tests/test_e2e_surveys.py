"""In a real browser (Debian's chromium via Playwright) against a live server: 王建国 opens the
survey tile, answers the satisfaction survey's ratings, then signs up for the mid-autumn fair and
his phone shows the check-in QR code; in elderly mode the same pages keep large type.

    .venv/bin/python -m pytest linli/engage/tests/test_e2e_surveys.py -m e2e
"""

import os

import pytest
from django.utils import timezone

from linli.access.tests.test_e2e_access import browser, chromium, signed_in
from linli.engage.models import Registration, SurveyResponse
from linli.testing.engage_surveys import open_satisfaction, upcoming_activity

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The access app's browser set-up: the same fixtures, not a copy.
__all__ = ["browser", "chromium"]


def test_a_resident_answers_the_satisfaction_survey_and_signs_up(
    transactional_db, live_server, world, chromium
):
    survey = open_satisfaction(world, timezone.now().year)
    activity = upcoming_activity(world, capacity=5)
    base = live_server.url

    owner = signed_in(chromium, live_server, world.owner)
    owner.goto(f"{base}/services/")
    owner.locator('[data-tile="surveys"]').click()
    owner.get_by_text(survey.title).click()
    for fieldset in owner.locator("fieldset[data-question]").all()[:8]:
        fieldset.get_by_text("4 分").click()
    owner.get_by_role("button", name="提交问卷").click()
    owner.get_by_text("感谢参与，问卷已提交").wait_for()
    assert SurveyResponse.objects.get().answers.count() == 8

    owner.goto(f"{base}/services/")
    owner.locator('[data-tile="activities"]').click()
    owner.get_by_text("中秋游园会").click()
    owner.get_by_label("参加人数（含家属）").select_option("3")
    owner.get_by_role("button", name="我要报名").click()
    owner.get_by_text("报名成功").wait_for()
    assert owner.locator("#checkin-qr svg").count() == 1
    assert Registration.objects.get(activity=activity).party_size == 3

    owner.goto(f"{base}/me/")
    owner.get_by_role("button", name="长辈模式").first.click()
    owner.goto(f"{base}/engage/activities/{activity.pk}/")
    size = owner.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 20
    assert owner.locator("#checkin-qr svg").count() == 1
