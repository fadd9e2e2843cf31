"""`linli createoperator`: the first account of a production install, from a script or a prompt."""

import io

import pytest
from django.core.management import CommandError, call_command

from linli.accounts.models import User
from linli.core.models import AuditEntry
from linli.testing.client import ApiClient

PASSWORD = "Operator-Day-One-2025"


def test_it_creates_an_operator_who_can_open_a_community(db, monkeypatch):
    monkeypatch.setenv("OPERATOR_PASSWORD", PASSWORD)
    call_command(
        "createoperator", "ops", name="平台运营", password_from_env="OPERATOR_PASSWORD", interactive=False
    )
    user = User.objects.get(username="ops")
    assert user.is_operator and user.check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="create_operator", object_id=str(user.pk)).exists()
    client = ApiClient()
    assert client.post("/auth/login", {"username": "ops", "password": PASSWORD}).status_code == 200
    assert client.post("/communities", {"name": "新小区", "code": "xin"}).status_code == 201


def test_it_prompts_for_the_password_twice(db, monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("createoperator", "ops")
    assert User.objects.get(username="ops").is_operator
    answers = iter([PASSWORD, "something-else-2025"])
    with pytest.raises(CommandError, match="differ"):
        call_command("createoperator", "ops2")
    assert not User.objects.filter(username="ops2").exists()


def test_it_refuses_without_changing_anything(db, monkeypatch):
    from linli.testing import factories as f

    f.user("taken")
    monkeypatch.setenv("OPERATOR_PASSWORD", PASSWORD)
    monkeypatch.setenv("WEAK", "123")
    for args, kwargs, message in [
        (["taken"], {"password_from_env": "OPERATOR_PASSWORD"}, "taken"),
        (["taken"], {"password_from_env": "OPERATOR_PASSWORD", "exists_ok": True}, "taken"),
        (["new1"], {"password_from_env": "WEAK"}, "weak_password"),
        (["new1"], {"password_from_env": "UNSET_VARIABLE"}, "not set"),
        (["new1"], {"interactive": False}, "--password-from-env"),
        (["Bad Name"], {"password_from_env": "OPERATOR_PASSWORD"}, "invalid_username"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("createoperator", *args, **kwargs)
    assert not User.objects.filter(is_operator=True).exists()


def test_it_can_be_run_again_by_a_script(db, monkeypatch):
    monkeypatch.setenv("OPERATOR_PASSWORD", PASSWORD)
    call_command("createoperator", "ops", password_from_env="OPERATOR_PASSWORD")
    call_command("createoperator", "ops", password_from_env="OPERATOR_PASSWORD", exists_ok=True)
    assert User.objects.filter(is_operator=True).count() == 1


def test_it_reads_the_password_from_a_pipe(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    call_command("createoperator", "ops", password_stdin=True)
    assert User.objects.get(username="ops").check_password(PASSWORD)
