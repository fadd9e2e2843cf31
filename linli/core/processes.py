"""Processes an app adds to `linli serve` (the MQTT ingest worker, the demo's device simulator),
registered from its `AppConfig.ready` so that core names no app (decision 0002). Each factory
is asked at start-up, with the web server's address, for the `linli` arguments to run, or None
when it has nothing to run on this installation."""

from collections.abc import Callable

Factory = Callable[[str], list[str] | None]
_registered: list[tuple[str, Factory]] = []


def register_process(name: str, factory: Factory) -> None:
    if all(existing != name for existing, _factory in _registered):
        _registered.append((name, factory))


def wanted(url: str) -> list[tuple[str, list[str]]]:
    out = []
    for name, factory in _registered:
        argv = factory(url)
        if argv is not None:
            out.append((name, argv))
    return out
