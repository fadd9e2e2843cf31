from django.apps import AppConfig


class EngageConfig(AppConfig):
    name = "linli.engage"
    label = "engage"
    verbose_name = "居民参与"

    def ready(self):
        _register_screens()


def _register_screens() -> None:
    """The console's 居民参与 domain, after 物联网 (50). Each area adds its pages to `entries`
    and its tiles to `cards`, with weights that leave room between areas: notices 10–19,
    deliberation 20–29, votes 30–39, surveys 40–49, activities and neighbours 50–59, points and
    the convention 60–69."""
    from django.utils.translation import gettext_lazy as _  # within ready(): Django's app loading

    from linli.core.roles import Action
    from linli.core.shell.nav import HomeCard, register_home_card, register_nav, register_nav_group

    register_nav_group("engage", _("居民参与"), weight=60)
    entries: list[tuple] = [  # (weight, label, url_name, key, action)
        (10, _("通知公告"), "console_notices", "engage_notices", Action.ENGAGE_VIEW),
        (20, _("议事厅"), "console_proposals", "engage_proposals", Action.ENGAGE_VIEW),
        (21, _("议事审核"), "console_moderation", "engage_moderation", Action.ENGAGE_MODERATE),
    ]
    for weight, label, url_name, key, action in entries:
        register_nav("engage", label, f"engage:{url_name}", key=key, weight=weight, action=action)
    cards: list[HomeCard] = [
        HomeCard("engage_notices", _("通知公告"), "chat", 10, "engage:notices", tile="notices"),
        HomeCard(
            "engage_proposals", _("议事厅"), "vote", 20, "engage:proposals", needs_home=True, tile="proposals"
        ),
    ]
    for card in cards:
        register_home_card(card)
