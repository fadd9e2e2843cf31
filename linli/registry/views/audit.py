"""Staff console, oversight: the community's audit timeline and the log of personal-data reads."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import queries as core_queries
from linli.core.roles import Action
from linli.core.shell.common import Console, page_of, staff_view
from linli.core.shell.formatting import moment_label
from linli.core.shell.tables import Cell, Column, Filter, Table, cells
from linli.core.shell.timeline import describe
from linli.registry import queries as registry
from linli.registry.forms import RevealForm

OBJECT_TYPES = [
    ("", gettext_lazy("全部对象")),
    ("registry.house", gettext_lazy("房屋")),
    ("registry.person", gettext_lazy("人员")),
    ("registry.occupancy", gettext_lazy("居住关系")),
    ("registry.vehicle", gettext_lazy("车辆")),
    ("registry.caretag", gettext_lazy("关爱标签")),
    ("registry.building", gettext_lazy("楼栋")),
    ("core.membership", gettext_lazy("岗位")),
]
PII_FIELDS = {
    "phone": gettext_lazy("手机号"),
    "id_number": gettext_lazy("身份证号"),
    "export": gettext_lazy("导出全部"),
}


@staff_view(Action.AUDIT_VIEW, section="audit")
def audit(request, console: Console):
    object_type = request.GET.get("type", "")
    qs = core_queries.audit_entries(request.user).filter(community_id=console.community.id)
    if object_type:
        qs = qs.filter(object_type=object_type)
    rows, next_url, first_url = page_of(request, qs, newest_first=True)
    return console.render(
        request,
        "registry/console/audit.html",
        {
            "items": [describe(e) for e in rows],
            "filters": [Filter("type", _("对象"), object_type, tuple(OBJECT_TYPES))],
            "next_url": next_url,
            "first_url": first_url,
        },
    )


@staff_view(Action.AUDIT_VIEW, section="pii")
def pii_log(request, console: Console):
    reads = core_queries.pii_accesses(request.user).filter(community_id=console.community.id)
    rows, next_url, first_url = page_of(request, reads.select_related("actor"), newest_first=True)
    names = registry.names_of_people(request.user, {r.person_id for r in rows})
    purposes = dict(RevealForm.PURPOSES)
    table = Table(
        [
            Column(_("时间")),
            Column(_("查看人")),
            Column(_("被查看人")),
            Column(_("内容")),
            Column(_("原因")),
            Column(_("请求编号")),
        ],
        next_url=next_url,
        first_url=first_url,
        empty_text=_("还没有查看记录"),
    )
    for r in rows:
        name = names.get(r.person_id)
        table.rows.append(
            cells(
                moment_label(r.at),
                str(r.actor),
                Cell(name, href=console.reverse("registry:person", r.person_id))
                if name
                else f"#{r.person_id}",
                " · ".join(str(PII_FIELDS.get(f, f)) for f in r.fields.split(",")),
                purposes.get(r.purpose, r.purpose) or "—",
                Cell(r.request_id, mono=True),
            )
        )
    return console.render(
        request,
        "linli/staff/table_page.html",
        {
            "title": _("个人信息查看记录"),
            "sub": _("每一次查看完整手机号、身份证号都记录在此（SEC-1）"),
            "table": table,
        },
    )
