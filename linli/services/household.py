"""The recommendation conditions, as pure functions of a household's make-up: the ages of the
people living in the house today (None where the registry has no birth date). Care tags are
never an input: what a person consented to for care is not consent to be marketed to."""

from collections.abc import Sequence
from datetime import date

from linli.services.choices import Condition

ELDERLY_AGE = 70
YOUNG_CHILD_AGE = 6


def age_on(birth: date, today: date) -> int:
    """Whole years (a 29 February birthday counts on 1 March in other years)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def matches(condition: str, ages: Sequence[int | None]) -> bool:
    known = [a for a in ages if a is not None]
    if condition == Condition.CHILD_UNDER_6:
        return any(a < YOUNG_CHILD_AGE for a in known)
    if condition == Condition.ELDERLY_ALONE:
        # Alone: one person lives there; someone of unknown age still counts as company.
        return len(ages) == 1 and bool(known) and known[0] >= ELDERLY_AGE
    if condition == Condition.ELDERLY_IN_HOUSEHOLD:
        return any(a >= ELDERLY_AGE for a in known)
    return False
