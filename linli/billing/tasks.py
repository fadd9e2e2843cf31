from django_tasks import task

from linli.billing.services.paid_notice import tell_household_paid


@task()
def tell_paid(payment_id: int) -> int:
    """After a payment settled: its household hears of it (returns how many were told). A task,
    not part of `settle`, which runs inside the write lock of every payment notification."""
    return tell_household_paid(payment_id)
