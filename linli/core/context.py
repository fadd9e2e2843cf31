"""Per-request context that deep layers (audit, PII log) read without threading it through."""

import contextvars
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
on_behalf_var: contextvars.ContextVar[str] = contextvars.ContextVar("on_behalf_of", default="")


def current_request_id() -> str:
    return request_id_var.get()


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]
