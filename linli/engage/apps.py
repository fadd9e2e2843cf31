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
        (30, _("业主大会投票"), "votes_console", "engage_votes", Action.ENGAGE_VIEW),
        (40, _("问卷调查"), "staff_surveys", "engage_surveys", Action.ENGAGE_VIEW),
        (41, _("物业满意度"), "staff_satisfaction", "engage_satisfaction", Action.ENGAGE_VIEW),
        (50, _("社区活动"), "staff_activities", "engage_activities", Action.ENGAGE_VIEW),
        (51, _("社区黄页"), "staff_directory", "engage_directory", Action.ENGAGE_VIEW),
        (52, _("邻里互助管理"), "staff_help", "engage_help", Action.ENGAGE_MODERATE),
        (10, _("通知公告"), "console_notices", "engage_notices", Action.ENGAGE_VIEW),
        (20, _("议事厅"), "console_proposals", "engage_proposals", Action.ENGAGE_VIEW),
        (21, _("议事审核"), "console_moderation", "engage_moderation", Action.ENGAGE_MODERATE),
        (60, _("积分规则"), "staff_points_rules", "engage_points_rules", Action.ENGAGE_VIEW),
        (61, _("志愿时长确认"), "staff_points_volunteer", "engage_points_volunteer", Action.POINTS_MANAGE),
        (62, _("垃圾分类打卡"), "staff_points_garbage", "engage_points_garbage", Action.POINTS_MANAGE),
        (63, _("积分商品"), "staff_points_catalogue", "engage_points_catalogue", Action.POINTS_MANAGE),
        (64, _("积分兑换"), "staff_points_redemptions", "engage_points_redemptions", Action.ENGAGE_VIEW),
        (65, _("社区公约"), "staff_convention", "engage_convention", Action.ENGAGE_VIEW),
        (66, _("违约记录"), "staff_violations", "engage_violations", Action.ENGAGE_VIEW),
        (67, _("申诉处理"), "staff_appeals", "engage_appeals", Action.APPEAL_DECIDE),
    ]
    for weight, label, url_name, key, action in entries:
        register_nav("engage", label, f"engage:{url_name}", key=key, weight=weight, action=action)
    cards: list[HomeCard] = [
        HomeCard("engage_votes", _("议事投票"), "vote", 92, "engage:votes", needs_home=True, tile="votes"),
        HomeCard(
            "engage_surveys", _("问卷调查"), "vote", 40, "engage:surveys", needs_home=True, tile="surveys"
        ),
        HomeCard(
            "engage_activities",
            _("社区活动"),
            "ticket",
            50,
            "engage:activities",
            needs_home=True,
            tile="activities",
        ),
        HomeCard(
            "engage_directory",
            _("社区黄页"),
            "phone",
            51,
            "engage:directory",
            needs_home=True,
            tile="directory",
        ),
        HomeCard("engage_help", _("邻里互助"), "chat", 52, "engage:help_posts", needs_home=True, tile="help"),
        HomeCard("engage_notices", _("通知公告"), "chat", 10, "engage:notices", tile="notices"),
        HomeCard(
            "engage_proposals", _("议事厅"), "vote", 20, "engage:proposals", needs_home=True, tile="proposals"
        ),
        HomeCard("engage_points", _("积分"), "yen", 68, "engage:points_home", needs_home=True, tile="points"),
        HomeCard(
            "engage_convention",
            _("社区公约"),
            "chat",
            69,
            "engage:convention",
            needs_home=True,
            tile="convention",
        ),
    ]
    for card in cards:
        register_home_card(card)
