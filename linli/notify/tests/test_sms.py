from linli.notify.services import notify
from linli.notify.sms import ConsoleSmsProvider


def test_it_prints_console_sms_with_the_phone_masked(capsys):
    ConsoleSmsProvider().send("13800000001", "login_code", {"code": "123456"})
    out = capsys.readouterr().out
    assert out.startswith("[SMS to 138****0001] 您的验证码是 123456")
    assert "13800000001" not in out


def test_it_texts_recipients_after_commit(
    world, sms_outbox, inline_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        notify(
            users=[world.owner, world.tenant, world.staff],
            kind="outage",
            title="停水通知",
            body="明天9点至12点停水",
            community_id=world.a.id,
            channels=("inapp", "sms"),
        )
    assert sms_outbox == []  # nothing leaves before the commit
    for callback in pending:
        callback()
    # The staff login has no phone on file, so only the residents get a text.
    assert sorted(m.phone for m in sms_outbox) == ["13800000001", "13800000002"]
    assert sms_outbox[0].text == "停水通知：明天9点至12点停水"


def test_it_skips_sms_unless_the_kind_asks_for_it(
    world, sms_outbox, inline_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[world.owner, world.outsider], kind="notice", title="通知", body="内容")
    assert sms_outbox == []
