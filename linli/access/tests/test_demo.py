"""The access demo on top of the registry demo: everything the screens show exists, once."""

import json
from pathlib import Path

from linli.access.demo import seed_access_demo
from linli.access.models import (
    AccessEvent,
    CareAlert,
    Grant,
    ParkingRecord,
    SecurityEvent,
    Terminal,
    VisitorPass,
)
from linli.core.models import Community
from linli.demo.builder import seed_demo


def test_it_seeds_a_demo_that_works_through_the_real_services(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    report = seed_demo(small=True)  # the registry demo seeds access too
    community = Community.objects.get(code="demo-xingfuli")
    summary = next(row["access"] for row in report if row["code"] == "demo-xingfuli")
    assert summary["created"] and summary["grants"] > 50 and summary["cards"] > 20
    assert Grant.objects.filter(community=community, source="household", label="保姆").exists()
    assert VisitorPass.objects.filter(community=community).count() == 2
    assert AccessEvent.objects.filter(community=community, allowed=True).count() > 100
    assert SecurityEvent.objects.filter(community=community, kind="denied").exists()
    assert ParkingRecord.objects.filter(community=community).exists()
    assert CareAlert.objects.filter(community=community, status="open").exists()
    secrets = json.loads(Path(summary["secrets"]).read_text())
    token = secrets["terminals"]["南门"]["token"]
    assert Terminal.objects.get(pk=secrets["terminals"]["南门"]["terminal"]).token_prefix == token[:10]
    assert seed_access_demo(community) == {"community": "demo-xingfuli", "created": False}
    assert VisitorPass.objects.filter(community=community).count() == 2
