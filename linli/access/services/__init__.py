"""All access writes (convention 1): `do_<verb>_<noun>(*, actor, ...)`, one transaction each,
permission re-checked inside, audited. Terminals are actors of the decision services."""

from linli.access.services.care import (
    do_acknowledge_care_alert,
    do_disable_care_rule,
    do_set_care_rule,
    evaluate_care_rules,
)
from linli.access.services.credentials import (
    do_delete_face,
    do_enrol_face,
    do_issue_card,
    do_issue_pin,
    do_revoke_credential,
)
from linli.access.services.decisions import (
    Decision,
    do_acknowledge_security_event,
    do_decide,
    do_manual_open,
    do_remote_open,
)
from linli.access.services.grants import (
    bulk_sync_community,
    consume_registry_changes,
    do_add_household_helper,
    do_grant_access,
    do_grant_household_access,
    do_revoke_grant,
    sync_grants_for_house,
    sync_staff_grants,
)
from linli.access.services.intercom import do_answer_call, do_start_call
from linli.access.services.layout import (
    do_create_point,
    do_create_zone,
    do_register_terminal,
    do_revoke_terminal,
    do_rotate_signing_key,
    do_rotate_terminal_credentials,
    do_set_zone_points,
    do_update_point,
)
from linli.access.services.passes import do_create_pass, do_register_walk_in, do_revoke_pass
from linli.access.services.terminals import do_fetch_commands, do_sync_terminal, do_upload_events
from linli.access.services.vehicles import do_plate_event

__all__ = [
    "Decision",
    "bulk_sync_community",
    "consume_registry_changes",
    "do_acknowledge_care_alert",
    "do_acknowledge_security_event",
    "do_add_household_helper",
    "do_answer_call",
    "do_create_pass",
    "do_create_point",
    "do_create_zone",
    "do_decide",
    "do_delete_face",
    "do_disable_care_rule",
    "do_enrol_face",
    "do_fetch_commands",
    "do_grant_access",
    "do_grant_household_access",
    "do_issue_card",
    "do_issue_pin",
    "do_manual_open",
    "do_plate_event",
    "do_register_terminal",
    "do_register_walk_in",
    "do_remote_open",
    "do_revoke_credential",
    "do_revoke_grant",
    "do_revoke_pass",
    "do_revoke_terminal",
    "do_rotate_signing_key",
    "do_rotate_terminal_credentials",
    "do_set_care_rule",
    "do_set_zone_points",
    "do_start_call",
    "do_sync_terminal",
    "do_update_point",
    "do_upload_events",
    "evaluate_care_rules",
    "sync_grants_for_house",
    "sync_staff_grants",
]
