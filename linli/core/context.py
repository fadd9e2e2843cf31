"""Per-request context that deep layers (audit, PII log) read without threading it through."""

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
on_behalf_var: contextvars.ContextVar[str] = contextvars.ContextVar("on_behalf_of", default="")


def current_request_id() -> str:
    return request_id_var.get()


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


@contextmanager
def on_behalf_of(label: str) -> Iterator[None]:
    """At the counter (代办) the audit trail records whom the staff member acted for."""
    token = on_behalf_var.set(label)
    try:
        yield
    finally:
        on_behalf_var.reset(token)
