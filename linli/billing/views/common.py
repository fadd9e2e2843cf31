"""What the billing screens of every area share."""

from django import forms

from linli.billing.services import amounts
from linli.core.errors import ServiceError


class YuanField(forms.Field):
    """An amount a person types in 元 ("223.75", "¥1,234.50", full-width digits), cleaned to whole
    fen by `amounts.fen_from_yuan`: the page says what the API says for the same mistake. A text
    box, not a number box: a browser's number box refuses "¥" and full-width digits by itself,
    in its own words, or sends nothing at all."""

    widget = forms.TextInput(
        attrs={"class": "input", "inputmode": "decimal", "autocomplete": "off", "maxlength": 32}
    )

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.allow_zero = allow_zero

    def clean(self, value) -> int | None:
        if not self.required and value in self.empty_values:
            return None
        try:
            return amounts.fen_from_yuan(value, allow_zero=self.allow_zero)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
