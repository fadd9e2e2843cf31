"""What apps above the registry keep about a person's login and erase with the person: each
registers an eraser at start-up (its `AppConfig.ready()`), so the registry imports none of them
(decision 0002's registration). `do_erase_person` calls every eraser in its transaction."""

from collections.abc import Callable

Eraser = Callable[[int], None]  # called with the erased person's user id

_erasers: list[Eraser] = []


def register_eraser(eraser: Eraser) -> None:
    if eraser not in _erasers:
        _erasers.append(eraser)


def erase_login_data(user_id: int) -> None:
    for eraser in _erasers:
        eraser(user_id)
