"""数据共享 (SEC-4): issue a city system's token (shown once), see every call it made, revoke
it at once. For community admins (sharing.manage)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, show_service_error, staff_view
from linli.dashboards import sharing_queries
from linli.dashboards.models.sharing import Level
from linli.dashboards.services.sharing import (
    MAX_RATE_PER_MINUTE,
    do_issue_sharing_token,
    do_revoke_sharing_token,
)
from linli.dashboards.sharing_datasets import DATASETS


class TokenForm(forms.Form):
    name = forms.CharField(label=_("接入系统名称"), max_length=60, help_text=_("如：区城市运行管理平台"))
    datasets = forms.MultipleChoiceField(label=_("数据集"), widget=forms.CheckboxSelectMultiple)
    communities = forms.TypedMultipleChoiceField(
        label=_("社区"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    level = forms.ChoiceField(
        label=_("最细层级"), choices=Level.choices, help_text=_("可读取该层级及更粗的层级")
    )
    rate_per_minute = forms.IntegerField(
        label=_("每分钟调用上限"), min_value=1, max_value=MAX_RATE_PER_MINUTE, initial=60
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["datasets"].choices = [(key, d.label) for key, d in DATASETS.items()]
        self.fields["communities"].choices = communities


@staff_view(Action.SHARING_MANAGE, section="dashboards_sharing")
def sharing_page(request, console: Console):
    communities = sharing_queries.shareable_communities(request.user)
    form = TokenForm(
        request.POST or None, communities=communities, initial={"communities": [console.community.id]}
    )
    issued = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                data = form.cleaned_data
                issued = do_issue_sharing_token(
                    actor=request.user,
                    community_id=console.community.id,
                    name=data["name"],
                    datasets=data["datasets"],
                    community_ids=data["communities"],
                    level=data["level"],
                    rate_per_minute=data["rate_per_minute"],
                )
                form = TokenForm(communities=communities, initial={"communities": [console.community.id]})
            except ServiceError as refused:
                show_service_error(form, refused)
        if issued is None:
            status = 422
    context = {
        "form": form,
        "issued": issued,
        "tokens": sharing_queries.tokens(request.user, console.community.id),
        "calls": sharing_queries.recent_calls(request.user, console.community.id),
        "datasets": {key: d.label for key, d in DATASETS.items()},
        "levels": dict(Level.choices),
    }
    return console.render(request, "dashboards/sharing.html", context, status=status)


@require_POST
@staff_view(Action.SHARING_MANAGE, section="dashboards_sharing")
def sharing_revoke(request, console: Console, token_id: int):
    try:
        do_revoke_sharing_token(actor=request.user, community_id=console.community.id, token_id=token_id)
        messages.success(request, _("已吊销，该令牌的下一次调用即被拒绝"))
    except ServiceError as refused:
        if refused.status == 404:
            raise Http404 from refused
        messages.error(request, str(refused.message))
    return redirect(console.reverse("dashboards:sharing"))
