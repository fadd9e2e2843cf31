"""Convention 1 kept by a test: models are written only by services (`services.py` or a
`services/` package), so that every write has an actor, a permission check, a transaction and an
audit entry. Migrations, management commands, tests and test support write as they must.

The check reads the source (no import): any call of a write method on a queryset or manager
(`X.objects...update(...)`), and `.save()` / `.delete()` on anything (an instance).
"""

import ast
from pathlib import Path

import linli

ROOT = Path(linli.__file__).parent
WRITES = {
    "save",
    "create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
# A receiver that ends in one of these is a manager or queryset, whatever the method.
MANAGERS = ("objects", "_base_manager", "_default_manager")
# Methods that only an instance has in the list above; `d.update(...)` is usually a dict.
INSTANCE_WRITES = {"save", "delete"}
EXEMPT_DIRS = {"services", "migrations", "tests", "management", "testing", "demo"}
EXEMPT_NAMES = {"services.py", "demo.py", "testing.py"}

# Bookkeeping writes that are not a user's change: each entry says why it may stay where it is.
ALLOWED = {
    "accounts/throttle.py": "rate-limit counters, written by the sign-in attempt they count",
    "accounts/auth.py": "an API token's last-used time, written by the request it authenticates",
    "access/terminal_auth.py": "a terminal's last-seen time, written by the request it authenticates",
    "dashboards/screen_tokens.py": "a kiosk token's last-used time, written by the request it authenticates",
    "core/audit.py": "the audit chain itself, inside the caller's transaction",
    "core/events.py": "the outbox, inside the caller's transaction",
    "core/periodic.py": "claiming a periodic job by conditional update",
    "core/keyrotation.py": "re-encrypting stored values under a new key (an operator command)",
    "registry/privacy.py": "the log of personal-data reads, written by the read",
    "channels/access_tokens.py": "a provider's access token, cached by the call that needed it",
}


def _receiver_is_manager(node: ast.expr) -> bool:
    """`X.objects`, `X.objects.filter(...)`, `qs.select_for_update()` ... anywhere in the chain."""
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr in MANAGERS:
                return True
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return False


def _model_writes(tree: ast.AST) -> list[tuple[int, str]]:
    decorators = {id(d) for n in ast.walk(tree) if hasattr(n, "decorator_list") for d in n.decorator_list}
    # `self.save()` in a class that defines `save` itself (a simulator's state file) is no model's.
    own_methods = {
        id(call)
        for cls in ast.walk(tree)
        if isinstance(cls, ast.ClassDef)
        for call in ast.walk(cls)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "self"
        and call.func.attr in {f.name for f in cls.body if isinstance(f, ast.FunctionDef)}
    }
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method not in WRITES or id(node) in decorators | own_methods:  # `@router.delete()` routes
            continue
        on_manager = _receiver_is_manager(node.func.value)
        # A model's save()/delete() takes keywords only; `workbook.save(path)` is a file.
        on_instance = method in INSTANCE_WRITES and not node.args
        if on_manager or on_instance:
            found.append((node.lineno, f"{ast.unparse(node.func)[:70]}(...)"))
    return sorted(found)


def _checked_modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if EXEMPT_DIRS & set(rel.parts[:-1]) or rel.name in EXEMPT_NAMES:
            continue
        yield rel.as_posix(), path


def test_it_writes_models_only_in_services():
    offenders = [
        f"linli/{rel}:{line}: {call}"
        for rel, path in _checked_modules()
        if rel not in ALLOWED
        for line, call in _model_writes(ast.parse(path.read_text(), str(path)))
    ]
    assert not offenders, "model writes outside services (move them into a service):\n" + "\n".join(offenders)


def test_it_keeps_the_allow_list_short_and_true():
    """An allowed module that no longer writes is dropped from the list, so the list never grows
    stale and never hides a new write in a module that used to be exempt for another reason."""
    writers = {rel for rel, path in _checked_modules() if _model_writes(ast.parse(path.read_text()))}
    assert set(ALLOWED) <= writers, set(ALLOWED) - writers
    assert len(ALLOWED) <= 10


def test_it_sees_the_writes_it_is_meant_to_see():
    source = """
@router.delete("/x")
def view(request, row):
    Person.objects.filter(pk=1).update(name="x")
    Person.objects.create(name="y")
    Grant.objects.select_for_update().get_or_create(pk=1)
    row.save()
    row.delete()
    workbook.save(buffer)
    headers.update({"a": 1})

class Simulator:
    def save(self):
        pass

    def sync(self):
        self.save()
"""
    calls = [call for _line, call in _model_writes(ast.parse(source))]
    assert calls == [
        "Person.objects.filter(pk=1).update(...)",
        "Person.objects.create(...)",
        "Grant.objects.select_for_update().get_or_create(...)",
        "row.save(...)",
        "row.delete(...)",
    ]
