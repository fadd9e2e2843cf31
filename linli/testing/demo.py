"""Seeding the demo in tests (`linli seed_demo`), and finding what it built."""

from io import StringIO

from django.core.management import call_command

from linli.core.models import Community
from linli.demo import builder as demo


def seed(*args) -> str:
    """The small demo (`--small`), with more arguments if given; what the command printed."""
    out = StringIO()
    call_command("seed_demo", "--small", *args, stdout=out)
    return out.getvalue()


def demo_communities() -> list[Community]:
    return list(Community.objects.filter(code__in=[s.code for s in demo.SITES]).order_by("id"))
