from datetime import timedelta

from linli.access.choices import PASS_PRESETS
from linli.access.forms import InviteForm


def test_it_uses_the_pass_types_preset_when_no_duration_is_chosen(world):
    data = {"house": world.house.id, "kind": "courier", "visitor_name": "快递员"}
    form = InviteForm(data, houses=[world.house])
    assert form.is_valid(), form.errors
    start, until, _uses = form.window()
    assert until - start == PASS_PRESETS["courier"][0]


def test_it_uses_the_chosen_duration(world):
    data = {"house": world.house.id, "kind": "visitor", "visitor_name": "张阿姨", "hours": "6"}
    form = InviteForm(data, houses=[world.house])
    assert form.is_valid(), form.errors
    start, until, _uses = form.window()
    assert until - start == timedelta(hours=6)
