"""Every migration in the tree can run while the previous release still serves (docs/operations.md,
"Upgrades without downtime"): no operation that makes a running older version fail, unless it
is on the allow-list below with its reason.

Walks the migrations in the order `migrate` applies them, keeping the schema as it stands before
each operation (Django's migration state, no database), and refuses:

- RemoveField, RenameField, DeleteModel, RenameModel, AlterModelTable: the older code still
  names the column or the table;
- AddField of a NOT NULL column without `db_default` on an existing table: the older code inserts
  rows without it (Django drops a `default` from the column once it has filled the existing
  rows; `db_default` stays in the database);
- AlterField from NULL to NOT NULL without `db_default`, or to another `db_column`: the same.

An app's initial migrations create tables nothing older reads, and a field added to a table
created in the same migration is part of it: both are left alone.
"""

from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from django.db.models import NOT_PROVIDED

BREAKING = {"RemoveField", "RenameField", "DeleteModel", "RenameModel", "AlterModelTable"}
BEFORE_ANY_INSTALL = "shipped before any production install: no older version ran against it"

# "app.migration: Operation model.field" -> why it may stay. Reviewed; keep it small. A new entry
# needs a reason a reviewer can check, never "it was easier".
ALLOWED = {
    "access.0002_visitorpass_ended: AddField visitorpass.revoke_reason": BEFORE_ANY_INSTALL,
    "accounts.0002_sign_in: AddField user.language": BEFORE_ANY_INSTALL,
    "registry.0002_occupancy_tenant_pays_fees: AddField occupancy.tenant_pays_fees": BEFORE_ANY_INSTALL,
    "registry.0003_house_area_source_developer_held: AddField house.area_source": BEFORE_ANY_INSTALL,
    "registry.0003_house_area_source_developer_held: AddField house.developer_held": BEFORE_ANY_INSTALL,
    "billing.0002_money_deposit_released: AddField bill.deposit_released_fen": BEFORE_ANY_INSTALL,
    "billing.0006_paychan_payment_code_url: AddField payment.code_url": BEFORE_ANY_INSTALL,
    "billing.0007_app_bills: AddField bill.source": BEFORE_ANY_INSTALL,
    "dashboards.0007_sharing_calls_have_a_token: AlterField sharingcall.token": BEFORE_ANY_INSTALL,
    "engage.0002_activity_cancellation: AddField activity.cancel_reason": BEFORE_ANY_INSTALL,
    "engage.0003_vote_right_edge: AddField vote.right_edge": BEFORE_ANY_INSTALL,
    "parking.0002_public_bookings: AddField sharedoffer.open_to_public": BEFORE_ANY_INSTALL,
    "services.0002_slot_active: AddField serviceslot.active": BEFORE_ANY_INSTALL,
}


def _no_db_default(field) -> bool:
    return field.db_default is NOT_PROVIDED


def _problem(operation, state: ProjectState, app_label: str, created: set[str]) -> str | None:
    """Why the operation breaks the older version, or None."""
    kind = type(operation).__name__
    if kind in BREAKING:
        return "the older version still uses the column or table"
    if kind == "AddField" and operation.model_name_lower not in created:
        field = operation.field
        if not field.null and not field.many_to_many and _no_db_default(field):
            return "a NOT NULL column without db_default: the older version inserts rows without it"
    if kind == "AlterField":
        old = state.models[app_label, operation.model_name_lower].fields[operation.name]
        new = operation.field
        if old.null and not new.null and _no_db_default(new):
            return "NULL to NOT NULL without db_default: the older version writes NULL"
        if old.db_column != new.db_column:
            return "another column name: the older version uses the old one"
    return None


def _key(app_label: str, migration: str, operation) -> str:
    if hasattr(operation, "model_name_lower"):  # a field's operation
        target = f"{operation.model_name_lower}.{getattr(operation, 'name', None) or operation.old_name}"
    else:
        target = getattr(operation, "name_lower", None) or operation.old_name_lower
    return f"{app_label}.{migration}: {type(operation).__name__} {target}"


def unsafe_operations() -> dict[str, str]:
    """Every refused operation of linli's migrations, as key -> why."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan: dict[tuple[str, str], None] = {}
    for leaf in sorted(loader.graph.leaf_nodes()):
        plan.update(dict.fromkeys(loader.graph.forwards_plan(leaf)))
    state = ProjectState()
    found = {}
    for app_label, name in plan:
        migration = loader.graph.nodes[app_label, name]
        ours = type(migration).__module__.startswith("linli.") and not migration.initial
        created: set[str] = set()
        for operation in migration.operations:
            if type(operation).__name__ == "CreateModel":
                created.add(operation.name_lower)
            if ours and (why := _problem(operation, state, app_label, created)):
                found[_key(app_label, name, operation)] = why
            operation.state_forwards(app_label, state)
    return found


def test_no_migration_breaks_the_running_older_version():
    refused = {key: why for key, why in unsafe_operations().items() if key not in ALLOWED}
    assert not refused, (
        "migrations that break the version still running during an upgrade; split them into "
        "expand and contract (docs/operations.md, 'Upgrades without downtime'):\n"
        + "\n".join(f"  {key}: {why}" for key, why in sorted(refused.items()))
    )


def test_every_allowed_operation_is_still_in_the_tree():
    """An entry whose migration is gone (squashed, renamed) goes too: the list stays honest."""
    stale = set(ALLOWED) - set(unsafe_operations())
    assert not stale, sorted(stale)


def test_the_rules_tell_an_expansion_from_a_break():
    state = ProjectState()
    migrations.CreateModel(
        "Thing", [("id", models.BigAutoField(primary_key=True)), ("note", models.TextField(null=True))]
    ).state_forwards("demo", state)

    def refused(operation) -> bool:
        return _problem(operation, state, "demo", created=set()) is not None

    assert refused(migrations.AddField("thing", "flag", models.BooleanField(default=False)))
    assert not refused(migrations.AddField("thing", "flag", models.BooleanField(db_default=False)))
    assert not refused(migrations.AddField("thing", "flag", models.BooleanField(null=True)))
    assert refused(migrations.AlterField("thing", "note", models.TextField()))
    assert not refused(migrations.AlterField("thing", "note", models.TextField(db_default="")))
    assert refused(migrations.AlterField("thing", "note", models.TextField(null=True, db_column="body")))
    assert refused(migrations.RemoveField("thing", "note"))
    assert refused(migrations.RenameField("thing", "note", "body"))
    assert refused(migrations.DeleteModel("thing"))
    assert _key("demo", "0002_x", migrations.RenameField("thing", "note", "body")) == (
        "demo.0002_x: RenameField thing.note"
    )
