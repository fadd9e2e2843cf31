"""Test support for notices and deliberation: community A's notice (published to 1号楼, with an
attachment), a proposal with a comment and a report, and the same of 2号楼 for narrowed staff."""

from django.db import transaction

from linli.engage.services import notices, proposals

PDF = b"%PDF-1.4\n% a notice's attachment\n"


def published_notice(actor, community_id: int, *, building_id: int | None = None, **extra):
    with transaction.atomic():
        notice = notices.do_create_notice(
            actor=actor,
            community_id=community_id,
            title=extra.pop("title", "停水通知"),
            body=extra.pop("body", "明天上午9点到12点停水，请提前储水。"),
            building_id=building_id,
            **extra,
        )
        return notices.do_publish_notice(actor=actor, notice_id=notice.pk)


def _ids(staff, resident, community_id: int, building_id: int) -> dict[str, int]:
    notice = published_notice(staff, community_id, building_id=building_id, must_confirm=True)
    attachment = notices.do_attach_file(actor=staff, notice_id=notice.pk, name="通知.pdf", data=PDF)
    proposal = proposals.do_post_proposal(
        actor=resident, community_id=community_id, title="增设电动车充电桩", body="车棚太挤了"
    )
    comment = proposals.do_comment(actor=resident, proposal_id=proposal.pk, body="同意")
    report = proposals.do_report(
        actor=resident, proposal_id=proposal.pk, comment_id=comment.pk, reason="跑题"
    )
    return {
        "notice_id": notice.pk,
        "attachment_id": attachment.pk,
        "proposal_id": proposal.pk,
        "comment_id": comment.pk,
        "report_id": report.pk,
    }


def probe_ids(world) -> dict[str, int]:
    return _ids(world.staff, world.owner, world.a.id, world.building.id)


def narrowed_probe_ids(world, narrowed) -> dict[str, int]:
    return _ids(world.staff, narrowed.other_user, world.a.id, narrowed.other_building.id)
