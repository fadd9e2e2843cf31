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
    """Ids of community A's work-order objects that the outsider must not reach."""
    c = crew(world)
    return _ids(world, c, report(world, c, "王建国家厨房漏水"))


def narrowed_probe_ids(world, narrowed) -> dict:
    """The same in 2号楼, reported by its resident, for staff narrowed to 1号楼."""
    c = crew(world)
    report(world, c, "王建国家厨房漏水")  # 1号楼's own, which the narrowed staff do see
    other = intake.do_report(
        actor=narrowed.other_user,
        community_id=world.a.id,
        category_id=c.repair.id,
        description="钱二楼家卫生间漏水",
        house_id=narrowed.other_house.id,
    )
    return _ids(world, c, other)


def _ids(world, c: Crew, r: Request) -> dict:
    return {
        "request_id": r.id,
        "team_id": c.team.id,
        "category_id": c.repair.id,
        "attachment_id": _attachment(r),
        "action": "accept",
    }


def fingerprint(community_id: int) -> dict[str, int]:
    """What a walk must leave as it found it: requests, their moves, files, charges, setup."""
    from linli.workorders.models import Attachment, ChargeLine, RequestEvent

    mine = {"community_id": community_id}
    return {
        "wo_requests": Request.objects.filter(**mine).count(),
        "wo_open": Request.objects.filter(**mine, status__in=("submitted", "accepted", "assigned")).count(),
        "wo_rated": Request.objects.filter(**mine, rating__isnull=False).count(),
        "wo_events": RequestEvent.objects.filter(**mine).count(),
        "wo_attachments": Attachment.objects.filter(**mine).count(),
        "wo_charges": ChargeLine.objects.filter(request__community_id=community_id).count(),
        "wo_teams": Team.objects.filter(**mine).count(),
        "wo_handlers": Handler.objects.filter(**mine).count(),
        "wo_categories": Category.objects.filter(**mine).count(),
        "wo_prices": PriceItem.objects.filter(**mine).count(),
    }


def _attachment(r: Request) -> int:
    import io

    from PIL import Image

    from linli.workorders.services.attachments import do_attach

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return do_attach(actor=r.reporter, request=r, data=buffer.getvalue(), stage="report").id
