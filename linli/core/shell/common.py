"""What every page shares: who may open the staff console, service errors in forms, 代办, paging."""

from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme

from linli.core import queries as core_queries
from linli.core.errors import ServiceError
from linli.core.http import get_or_404
from linli.core.models import Community
from linli.core.pagination import keyset_page
from linli.core.restrict import UserScope, scope_of
from linli.core.roles import Action
from linli.core.shell import nav

PAGE_SIZE = 50
# An operator may host thousands of communities: the switcher lists the first ones and the current.
SWITCHER_SIZE = 100


def is_staff(user) -> bool:
    return user.is_authenticated and scope_of(user).is_staff_somewhere()


@dataclass(frozen=True)
class NavItem:
    label: str | Promise  # lazy: each request\'s language
    url: str = ""
    key: str = ""

    @property
    def disabled(self) -> bool:
        return not self.url


@dataclass(frozen=True)
class NavGroup:
    """One domain of the left navigation: its heading and the pages the user may open there."""

    label: str | Promise
    items: list[NavItem]


@dataclass(frozen=True)
class SearchBox:
    url: str
    placeholder: str | Promise


@dataclass
class Console:
    """One request's view of the staff console: the community in the URL and what the user may do there."""

    community: Community
    communities: list[Community]
    scope: UserScope
    section: str = ""
    can: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self):
        actions = {
            "people": Action.PEOPLE_VIEW,
            "people_change": Action.PEOPLE_CHANGE,
            "pii": Action.PII_VIEW,
            "care": Action.CARE_VIEW,
            "audit": Action.AUDIT_VIEW,
            "import": Action.IMPORT_RUN,
            "stats": Action.STATS_VIEW,
            "access": Action.ACCESS_VIEW,
            "members": Action.MEMBERS_CHANGE,
        }
        self.can = {key: self.may(action) for key, action in actions.items()}

    def may(self, action: str) -> bool:
        return self.scope.may_in_community(action, self.community.id)

    def reverse(self, url_name: str, *args) -> str:
        """A page of this community by its namespaced URL name (an app's own pages name their app)."""
        return reverse(url_name, args=[self.community.id, *args])

    @property
    def nav(self) -> list[NavGroup]:
        """The domains the user may open something in (a domain with no page for the role is left out).

        Apps register the entries (linli.core.shell.nav); each page checks the same action again.
        """
        groups = []
        for group, specs in nav.nav_groups():
            items = [
                NavItem(spec.label, self.reverse(spec.url_name), spec.key)
                for spec in specs
                if spec.action is None or self.may(spec.action)
            ]
            if items:
                groups.append(NavGroup(group.label, items))
        return groups

    @property
    def search(self) -> SearchBox | None:
        """The top bar's search box; None (no box) for a user who may not search."""
        spec = nav.search()
        if spec is None or not self.may(spec.action):
            return None
        return SearchBox(self.reverse(spec.url_name), spec.placeholder)

    def render(self, request, template: str, context: dict | None = None, status: int = 200):
        return render(request, template, {"console": self, **(context or {})}, status=status)


def to_staff_sign_in(request):
    """The staff sign-in page, which comes back to this page after."""
    return redirect_to_login(request.get_full_path(), nav.entrance("staff_login"))


def turned_away(request):
    """Where a request that is no staff member's goes (sign-in, or a resident's home), or None."""
    if not request.user.is_authenticated:
        return to_staff_sign_in(request)
    if not is_staff(request.user):
        return redirect(nav.entrance("home"))
    return None


def console_of(request, community, section: str) -> Console:
    """The console's frame around `community`: the switcher offers the user's communities, and
    this one even when it is past the switcher's size."""
    offered = core_queries.staff_communities(request.user)
    communities = list(offered.order_by("id")[:SWITCHER_SIZE])
    if community not in communities:
        communities.append(community)
    return Console(community, communities, scope_of(request.user), section)


def staff_view(action: str = Action.PROPERTY_VIEW, section: str = ""):
    """A console page for community `cid`: sign-in required, residents go home, other communities 404."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, cid: int, *args, **kwargs):
            away = turned_away(request)
            if away is not None:
                return away
            community = get_or_404(core_queries.staff_communities(request.user), pk=cid)
            console = console_of(request, community, section)
            if not console.may(action):
                raise Http404
            return view(request, console, *args, **kwargs)

        return wrapper

    return decorate


def resident_view(view):
    """A resident H5 page: signed-in users only; the login page comes back here after."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), nav.entrance("login"))
        return view(request, *args, **kwargs)

    return wrapper


def show_service_error(form, exc: ServiceError) -> None:
    """A refused service call reads like a form error: the message on top, field hints beside fields."""
    for name, hint in exc.fields.items():
        if name in form.fields:
            form.add_error(name, str(hint))
    form.add_error(None, str(exc.message))


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


def cursor_of(request) -> int | None:
    raw = request.GET.get("cursor", "")
    return int(raw) if raw.isdigit() else None


def page_of(
    request, queryset, *, newest_first: bool = False, limit: int = PAGE_SIZE, time_key: str | None = None
):
    """Keyset page (constant cost deep into the list), the link to the next page and back to the first."""
    rows, next_cursor = keyset_page(
        queryset, cursor=cursor_of(request), limit=limit, newest_first=newest_first, time_key=time_key
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    first_url = f"?{params.urlencode()}" if cursor_of(request) is not None else ""
    next_url = ""
    if next_cursor is not None:
        params["cursor"] = str(next_cursor)
        next_url = f"?{params.urlencode()}"
    return rows, next_url, first_url
