"""Who acts in a service: the signed-in user (`settings.AUTH_USER_MODEL`, `accounts.User`).

`core` sits below `accounts` and imports nothing from it at run time, where `Actor` is Django's
`AbstractUser`, which `accounts.User` extends. The type checker sees the project's user model
itself, as django-stubs does for every foreign key to `AUTH_USER_MODEL`, so that an actor can be
stored in such a key.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linli.accounts.models import User as Actor
else:
    from django.contrib.auth.models import AbstractUser as Actor

__all__ = ["Actor"]
