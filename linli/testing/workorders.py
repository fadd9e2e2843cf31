"""Test support for work orders: a repair crew and a grid team in community A, the categories
residents report in, a price list, and the ids of A's work-order objects for the walks."""

from dataclasses import dataclass

from linli.workorders.choices import Kind, Priority, TeamKind
from linli.workorders.models import Category, Handler, PriceItem, Request, Team
from linli.workorders.services import intake, setup


@dataclass
class Crew:
    team: Team
    grid_team: Team
    plumber: Handler  # the world's technician, skill plumbing
    repair: Category  # 水管漏水 (plumbing)
    complaint: Category
    incident: Category
    price: PriceItem


def crew(world, *, mode: str = "auto") -> Crew:
    admin = world.admin
    community_id = world.a.id
    setup.do_update_settings(actor=admin, community_id=community_id, dispatch_mode=mode)
    team = setup.do_create_team(
        actor=admin, community_id=community_id, name="维修班", kind=TeamKind.PROPERTY, supervisor=world.staff
    )
    grid_team = setup.do_create_team(actor=admin, community_id=community_id, name="网格", kind=TeamKind.GRID)
    plumber = setup.do_add_handler(
        actor=admin, team=team, user=world.technician, skills=["plumbing", "electric"]
    )
    setup.do_add_handler(actor=admin, team=grid_team, user=world.grid_worker, skills=["incident"])
    repair = setup.do_create_category(
        actor=admin,
        community_id=community_id,
        code="leak",
        name="水管漏水",
        kind=Kind.REPAIR,
        skill="plumbing",
        default_team=team,
        form_fields=[
            {"key": "room", "label": "位置", "required": False, "choices": ["厨房", "卫生间", "其他"]}
        ],
    )
    complaint = setup.do_create_category(
        actor=admin, community_id=community_id, code="noise", name="噪音投诉", kind=Kind.COMPLAINT
    )
    incident = setup.do_create_category(
        actor=admin,
        community_id=community_id,
        code="fire-lane",
        name="占用消防通道",
        kind=Kind.INCIDENT,
        default_priority=Priority.HIGH,
        public=False,
    )
    price = setup.do_create_price(
        actor=admin, community_id=community_id, name="更换水龙头", unit="个", price_fen=8000
    )
    return Crew(team, grid_team, plumber, repair, complaint, incident, price)


def report(world, c: Crew, text: str = "厨房水管漏水", user=None) -> Request:
    return intake.do_report(
        actor=user or world.owner,
        community_id=world.a.id,
        category_id=c.repair.id,
        description=text,
        house_id=world.house.id,
    )


def probe_ids(world) -> dict:
    """Ids of community A's work-order objects that the outsider and narrowed staff must not reach."""
    c = crew(world)
    r = report(world, c, "王建国家厨房漏水")
    return {
        "request_id": r.id,
        "team_id": c.team.id,
        "category_id": c.repair.id,
        "attachment_id": _attachment(world, r),
        "action": "accept",
    }


def _attachment(world, r: Request) -> int:
    import io

    from PIL import Image

    from linli.workorders.services.attachments import do_attach

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return do_attach(actor=world.owner, request=r, data=buffer.getvalue(), stage="report").id
