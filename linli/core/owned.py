"""Rows that belong to one user (tokens, inbox): `restrict` filters to the owner.

Same call shape as the community-scoped `RestrictedQuerySet`, so every read still goes through
`Model.objects.restrict(user, action)`. Nobody, the operator included, reads another user's
personal rows through it: another user's row is a 404.
"""

from typing import Any

from django.db import models


class OwnedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = ""):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        model: Any = self.model  # each owned model declares `owner_field`
        return self.filter(**{model.owner_field: user.pk})
