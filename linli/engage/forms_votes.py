"""Forms of the vote pages. They only parse input; the ballot services decide (and their refusals
are shown beside the field they name, with their code)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.errors import ServiceError
from linli.core.text import Form
from linli.engage.choices_votes import Choice, VoteKind

# Longest roll search: a building, unit and house label ("12号楼-2单元-1203") with room to spare.
MAX_SEARCH = 40

# The service's field names, and the field a refusal without one is about, on the proxy form.
_FIELD_OF = {"elector_id": "elector", "choice": "choice", "authorisation": "authorisation"}
_FIELD_OF_CODE = {"vote_already_voted": "elector", "vote_no_elector": "elector"}


class ProxyBallotForm(Form):
    """A proxy's ballot for an owner's exclusive part: the part, the owner's choice and the
    owner's written authorisation. Every field is checked by the service, not here, so the page
    shows the service's own refusals (vote_proxy_no_authorisation, vote_bad_authorisation, …)."""

    elector = forms.TypedChoiceField(
        label=_("代哪位业主的专有部分投票"), coerce=int, required=False, widget=forms.RadioSelect
    )
    choice = forms.ChoiceField(label=_("业主的选择"), required=False, widget=forms.RadioSelect)
    authorisation = forms.FileField(
        label=_("业主签署的书面委托书"),
        required=False,
        help_text=_("JPG、PNG 或 PDF 文件，5 MB 以内"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def __init__(self, *args, vote, electors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elector"].choices = [(e.pk, e.label) for e in electors]
        if vote.kind == VoteKind.ELECTION:
            self.fields["choice"] = forms.TypedMultipleChoiceField(
                label=_("业主选择的候选人"),
                coerce=int,
                required=False,
                choices=list(enumerate(vote.candidates)),
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            self.fields["choice"].choices = Choice.choices
        self.code = ""

    def refused(self, exc: ServiceError) -> None:
        """The service's refusal beside the field it is about, or above the form."""
        self.code = exc.code
        named = [_FIELD_OF[f] for f in exc.fields if f in _FIELD_OF]
        if not named and exc.code in _FIELD_OF_CODE:
            named = [_FIELD_OF_CODE[exc.code]]
        for name in named:
            self.add_error(name, str(exc.message))
        if not named:
            self.add_error(None, str(exc.message))
