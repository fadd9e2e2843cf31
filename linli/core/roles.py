"""Roles and what each may do. Scope (community, building, grid) lives on the membership."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMUNITY_ADMIN = "community_admin", _("社区管理员")
    PROPERTY_MANAGER = "property_manager", _("物业经理")
    FRONT_DESK = "front_desk", _("前台客服")
    TECHNICIAN = "technician", _("维修工")
    SECURITY = "security", _("保安")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMITTEE_MEMBER = "committee_member", _("业委会委员")
    GOV_VIEWER = "gov_viewer", _("街道/政府查看")


class Action:
    PROPERTY_VIEW = "property.view"
    PROPERTY_CHANGE = "property.change"
    PEOPLE_VIEW = "people.view"
    PEOPLE_CHANGE = "people.change"
    PII_VIEW = "pii.view"
    PII_ERASE = "pii.erase"  # erase a person's data (PIPL): managers, not the counter
    CARE_VIEW = "care.view"
    CARE_CHANGE = "care.change"
    IMPORT_RUN = "import.run"
    AUDIT_VIEW = "audit.view"
    STATS_VIEW = "stats.view"
    MEMBERS_CHANGE = "members.change"
    # Access control (issue 3): see points and events; manage people's grants and credentials;
    # manage the installation (points, zones, terminals, signing keys); register walk-in visitors.
    ACCESS_VIEW = "access.view"
    ACCESS_CHANGE = "access.change"
    ACCESS_ADMIN = "access.admin"
    VISITOR_REGISTER = "visitor.register"
    # Fees (issue 9): see bills and payments; set up fee items, standards, readings and runs;
    # take payments at the counter; approve waivers and refunds (managers only).
    BILLING_VIEW = "billing.view"
    BILLING_SETUP = "billing.setup"
    BILLING_COLLECT = "billing.collect"
    BILLING_APPROVE = "billing.approve"
    # Service requests and work orders (issue 10): see the orders in scope; take and work on
    # orders (one's own, or grab from one's team's pool); accept, assign, transfer, check and
    # close them; set up categories, SLAs, teams, prices, patrols and Open311 keys.
    WORKORDER_VIEW = "workorder.view"
    WORKORDER_HANDLE = "workorder.handle"
    WORKORDER_DISPATCH = "workorder.dispatch"
    WORKORDER_SETUP = "workorder.setup"
    # Devices, alarms and linkage (issue 11): see devices, values and alarms; act on alarms
    # (acknowledge, assign, clear), send device commands and broadcasts; register devices and
    # set up profiles, rules and automations.
    IOT_VIEW = "iot.view"
    IOT_OPERATE = "iot.operate"
    IOT_SETUP = "iot.setup"
    # Resident participation (issue 12): see what residents post and answer, read rates,
    # participation and results; publish notices and record who was told in person; moderate
    # discussions and answer officially; set up owners' votes (the roll, proxies' authorisations)
    # — the owners' committee's, not the property company's; enter and confirm paper ballots;
    # run surveys, activities and the yellow pages; run points (rules, catalogue, confirmations),
    # the convention and violations; decide appeals against a violation.
    ENGAGE_VIEW = "engage.view"
    NOTICE_PUBLISH = "notice.publish"
    ENGAGE_MODERATE = "engage.moderate"
    VOTE_SETUP = "vote.setup"
    VOTE_COUNTER = "vote.counter"
    ENGAGE_RUN = "engage.run"
    POINTS_MANAGE = "points.manage"
    APPEAL_DECIDE = "appeal.decide"
    # Life services and venues (issue 13): see providers, bookings and the venue calendar; vet
    # providers, set up offerings, venues, health links and recommendation rules, hold and
    # return deposits; book a service or a venue for a resident at the counter (代办).
    SERVICES_VIEW = "services.view"
    SERVICES_MANAGE = "services.manage"
    SERVICES_BOOK_FOR = "services.book_for"
    # Parking (issue 13): see spaces, passes, shared offers, bookings and occupancy; set up
    # shared offers for an organisation, book for an outside driver, issue passes and take
    # their payment at the counter; take a temporary parking fee at the exit booth.
    PARKING_VIEW = "parking.view"
    PARKING_MANAGE = "parking.manage"
    PARKING_COLLECT = "parking.collect"
    # Dashboards (issue 14): the big screen, the site map, the government view and reports are
    # read with STATS_VIEW (aggregates only); issue and revoke kiosk screen tokens and place
    # buildings and devices on the site map; issue and revoke data-sharing tokens for city systems.
    SCREEN_MANAGE = "screen.manage"
    SHARING_MANAGE = "sharing.manage"
    # Channels (issue 15): choose where the community's staff get their work messages (WeCom,
    # DingTalk) and keep its credentials: the community admin's alone, like the team.
    CHANNELS_SETUP = "channels.setup"


A = Action
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.COMMUNITY_ADMIN: frozenset(v for k, v in vars(Action).items() if k.isupper() and isinstance(v, str)),
    Role.PROPERTY_MANAGER: frozenset(
        {
            A.PROPERTY_VIEW,
            A.PROPERTY_CHANGE,
            A.PEOPLE_VIEW,
            A.PEOPLE_CHANGE,
            A.PII_VIEW,
            A.PII_ERASE,
            A.IMPORT_RUN,
            A.AUDIT_VIEW,
            A.STATS_VIEW,
            A.CARE_VIEW,
            A.ACCESS_VIEW,
            A.ACCESS_CHANGE,
            A.ACCESS_ADMIN,
            A.VISITOR_REGISTER,
            A.BILLING_VIEW,
            A.BILLING_SETUP,
            A.BILLING_COLLECT,
            A.BILLING_APPROVE,
            A.WORKORDER_VIEW,
            A.WORKORDER_HANDLE,
            A.WORKORDER_DISPATCH,
            A.WORKORDER_SETUP,
            A.IOT_VIEW,
            A.IOT_OPERATE,
            A.IOT_SETUP,
            A.ENGAGE_VIEW,
            A.NOTICE_PUBLISH,
            A.ENGAGE_MODERATE,
            A.ENGAGE_RUN,
            A.POINTS_MANAGE,
            A.SERVICES_VIEW,
            A.SERVICES_MANAGE,
            A.SERVICES_BOOK_FOR,
            A.PARKING_VIEW,
            A.PARKING_COLLECT,
            A.PARKING_MANAGE,
            A.SCREEN_MANAGE,
        }
    ),
    # The counter serves residents in person (代办), so it sees and changes the registry.
    Role.FRONT_DESK: frozenset(
        {
            A.PROPERTY_VIEW,
            A.PEOPLE_VIEW,
            A.PEOPLE_CHANGE,
            A.PII_VIEW,
            A.ACCESS_VIEW,
            A.ACCESS_CHANGE,
            A.VISITOR_REGISTER,
            A.BILLING_VIEW,
            A.BILLING_COLLECT,
            # It takes reports by phone and in person (代报) and dispatches them.
            A.WORKORDER_VIEW,
            A.WORKORDER_DISPATCH,
            # It posts the property's notices, phones or visits the households that did not
            # read one, and takes paper ballots at the counter (a second person confirms).
            A.ENGAGE_VIEW,
            A.NOTICE_PUBLISH,
            A.VOTE_COUNTER,
            # It books services and venues for residents who come to the counter or phone.
            A.SERVICES_VIEW,
            A.SERVICES_BOOK_FOR,
            # It answers drivers' questions about their bookings and passes.
            A.PARKING_VIEW,
            A.PARKING_COLLECT,
        }
    ),
    # Technicians keep the devices running: they see them and answer their alarms.
    Role.TECHNICIAN: frozenset(
        {A.PROPERTY_VIEW, A.WORKORDER_VIEW, A.WORKORDER_HANDLE, A.IOT_VIEW, A.IOT_OPERATE}
    ),
    # The guard at the gate sees who comes and goes and lets walk-in visitors in; guards walk
    # the patrols and handle what they find.
    Role.SECURITY: frozenset(
        {
            A.PROPERTY_VIEW,
            A.PEOPLE_VIEW,
            A.ACCESS_VIEW,
            A.VISITOR_REGISTER,
            A.WORKORDER_VIEW,
            A.WORKORDER_HANDLE,
            # The control room (监控室) watches the alarm centre and speaks to the speakers.
            A.IOT_VIEW,
            A.IOT_OPERATE,
            # The guard at the barrier checks a car's booking or pass.
            A.PARKING_VIEW,
            A.PARKING_COLLECT,
        }
    ),
    Role.GRID_WORKER: frozenset(
        {
            A.PROPERTY_VIEW,
            A.PEOPLE_VIEW,
            A.PEOPLE_CHANGE,
            A.PII_VIEW,
            A.CARE_VIEW,
            A.CARE_CHANGE,
            A.STATS_VIEW,
            # Incidents in their grid come to them first; they escalate to a department.
            A.WORKORDER_VIEW,
            A.WORKORDER_HANDLE,
            A.WORKORDER_DISPATCH,
            # Camera events and alarms in their grid reach them.
            A.IOT_VIEW,
            # The community office's notices, official replies and activities.
            A.ENGAGE_VIEW,
            A.NOTICE_PUBLISH,
            A.ENGAGE_MODERATE,
            A.ENGAGE_RUN,
            # They visit the elderly and book care visits and meals for them (代办).
            A.SERVICES_VIEW,
            A.SERVICES_BOOK_FOR,
        }
    ),
    # The committee oversees the property company's accounts: it reads them, it does not post.
    # It organises the owners' assembly votes (Civil Code Art. 278) and their counting, answers
    # proposals officially and decides appeals under the convention.
    Role.COMMITTEE_MEMBER: frozenset(
        {
            A.PROPERTY_VIEW,
            A.STATS_VIEW,
            A.BILLING_VIEW,
            A.ENGAGE_VIEW,
            A.NOTICE_PUBLISH,
            A.ENGAGE_MODERATE,
            A.VOTE_SETUP,
            A.VOTE_COUNTER,
            A.APPEAL_DECIDE,
        }
    ),
    Role.GOV_VIEWER: frozenset({A.STATS_VIEW, A.PROPERTY_VIEW}),
}

# What a resident may do on their own household's records (derived from occupancy, not a role).
RESIDENT_ACTIONS = frozenset({A.PROPERTY_VIEW, A.PEOPLE_VIEW, A.BILLING_VIEW})


def role_allows(role: str, action: str) -> bool:
    return action in ROLE_ACTIONS.get(role, frozenset())
