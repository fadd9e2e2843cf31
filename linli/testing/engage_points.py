"""Test support for points and the convention: community A's rules, a catalogue, points for a
household, a published convention and a violation; the ids the outsider and narrowed walks
probe."""

from linli.engage.services import convention, points, points_catalogue


def rules(world) -> None:
    points.seed_default_rules(world.a.id)


def give(world, house, amount: int, ref: str):
    """`amount` points for `house` (a staff correction, so any amount)."""
    rules(world)
    account = points.account_for(world.a.id, house.pk)
    return points.do_adjust_points(actor=world.staff, account=account, amount=amount, text=f"测试{ref}")


def item(world, name: str = "免费洗车一次", price: int = 20, stock: int = 5):
    return points_catalogue.do_create_item(
        actor=world.staff, community_id=world.a.id, name=name, price=price, stock=stock
    )


def publish(world, body: str = "第一条 爱护公共环境。\n第二条 垃圾分类投放。"):
    return convention.do_publish_convention(
        actor=world.staff, community_id=world.a.id, title="幸福里社区公约", body=body
    )


def violation(world, house, points_: int = 10):
    if convention.current_version(world.a.id) is None:
        publish(world)
    return convention.do_record_violation(
        actor=world.staff,
        community_id=world.a.id,
        house_id=house.pk,
        article="第二条",
        note="未分类投放",
        points=points_,
    )


def _ids(world, house, user) -> dict[str, int]:
    give(world, house, 50, f"probe-{house.pk}")
    found = item(world, name=f"探测商品{house.pk}")
    redemption = points_catalogue.do_redeem(actor=world.staff, item=found, house_id=house.pk)
    log = points.do_log_volunteer_hours(
        actor=user, house_id=house.pk, day=found.created_at.date(), hours=1, description="清扫楼道"
    )
    rule = points.do_create_rule(
        actor=world.staff,
        community_id=world.a.id,
        code=f"probe{house.pk}",
        kind="other",
        name="探测规则",
        points=1,
    )
    return {
        "points_item_id": found.pk,
        "points_rule_id": rule.pk,
        "redemption_id": redemption.pk,
        "volunteer_log_id": log.pk,
        "violation_id": violation(world, house).pk,
        "convention_version_id": convention.current_version(world.a.id).pk,
    }


def probe_ids(world) -> dict[str, int]:
    return _ids(world, world.house, world.owner)


def narrowed_probe_ids(world, narrowed) -> dict[str, int]:
    """2号楼's redemption, hours and violation; the catalogue item, rule and convention are
    community-wide, which staff narrowed to 1号楼 must be refused too."""
    return _ids(world, narrowed.other_house, narrowed.other_user)
