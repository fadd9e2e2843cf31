"""Where apps put their screens into the shell: console navigation entries, the console's search
box, the resident home's cards, the console home's figures, and the site's entrances (sign-in
pages, the resident's home).

The shell sits below the apps and never imports them, so it cannot name their pages. Each app
registers its entries from its `AppConfig.ready()`; the shell renders whatever is registered, ordered
by explicit weights (not by app start-up order), keeping only what the user may open.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

Label = str | Promise  # lazy: each request's language


@dataclass(frozen=True)
class NavSpec:
    """One console page an app offers: `url_name` is reversed with the community id."""

    group: str
    label: Label
    url_name: str
    key: str
    weight: int
    action: str | None = None  # shown only to users who may do this in the community


@dataclass(frozen=True)
class SearchSpec:
    """The console's one search box: the page it submits to (reversed with the community id)."""

    url_name: str
    placeholder: Label  # what one may search for
    action: str  # the box shows only to users who may do this in the community


@dataclass(frozen=True)
class GroupSpec:
    key: str
    label: Label
    weight: int


@dataclass(frozen=True)
class HomeCard:
    """One tile of the resident's services page; no `url_name` means not built yet (即将上线)."""

    key: str
    label: Label
    icon: str
    weight: int
    url_name: str = ""
    fragment: str = ""
    needs_home: bool = False  # only residents with a registered home can use it
    tile: str = ""  # data-tile marker the page scripts and tests find the tile by

    @property
    def url(self) -> str:
        return f"{reverse(self.url_name)}{self.fragment}" if self.url_name else ""


@dataclass(frozen=True)
class HomeFigure:
    """One number on the console's overview for those who act on it (the counter's visitors of
    today, a technician's queue): `compute(user, community_id)` reads it through the app's own
    queries in the user's scope; `url_name` (reversed with the community id) is where to act;
    `topics` are the outbox topics, addressed to the community's staff, after which it is read
    again at once (between them the page polls)."""

    key: str
    label: Label
    compute: Callable[[object, int], int | str | None]
    action: str  # shown only to users who may do this in the community
    url_name: str = ""
    weight: int = 0
    topics: tuple[str, ...] = ()


# Keyed so that registering again (ready() run twice) replaces instead of duplicating.
_groups: dict[str, GroupSpec] = {}
_items: dict[str, NavSpec] = {}
_cards: dict[str, HomeCard] = {}
_search: dict[str, SearchSpec] = {}  # one box: the key is always "console"
_figures: dict[str, HomeFigure] = {}
# Where the shell sends a visitor: "login" (resident sign-in), "staff_login", "home" (resident's).
ENTRANCES = ("login", "staff_login", "home")
_entrances: dict[str, str] = {}


def register_nav_group(key: str, label: Label, *, weight: int) -> None:
    _groups[key] = GroupSpec(key, label, weight)


def register_nav(
    group: str, label: Label, url_name: str, *, key: str, weight: int, action: str | None = None
) -> None:
    _items[key] = NavSpec(group, label, url_name, key, weight, action)


def register_home_card(card: HomeCard) -> None:
    _cards[card.key] = card


def register_home_figure(
    key: str,
    label: Label,
    compute: Callable[[object, int], int | str | None],
    *,
    action: str,
    url_name: str = "",
    weight: int,
    topics: tuple[str, ...] = (),
) -> None:
    _figures[key] = HomeFigure(key, label, compute, action, url_name, weight, topics)


def home_figures() -> list[HomeFigure]:
    """Every registered figure of the console home, in weight order."""
    return sorted(_figures.values(), key=lambda figure: figure.weight)


def register_search(url_name: str, placeholder: Label, *, action: str) -> None:
    _search["console"] = SearchSpec(url_name, placeholder, action)


def register_entrance(name: str, url_name: str) -> None:
    if name not in ENTRANCES:
        raise ValueError(f"unknown entrance {name!r}; the shell knows {ENTRANCES}")
    _entrances[name] = url_name


def nav_groups() -> list[tuple[GroupSpec, list[NavSpec]]]:
    """Every registered group with its entries, both in weight order."""
    items = sorted(_items.values(), key=lambda item: item.weight)
    return [
        (group, [item for item in items if item.group == group.key])
        for group in sorted(_groups.values(), key=lambda group: group.weight)
    ]


def home_cards(*, has_home: bool) -> list[HomeCard]:
    cards = sorted(_cards.values(), key=lambda card: card.weight)
    return [card for card in cards if has_home or not card.needs_home]


def search() -> SearchSpec | None:
    return _search.get("console")


def entrance(name: str) -> str:
    """The URL of an entrance; the app serving it registered it at start-up."""
    return reverse(_entrances[name])
