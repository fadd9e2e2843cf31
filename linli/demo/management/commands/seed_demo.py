"""`linli seed_demo [--seed 42] [--small]`: load the demo communities (idempotent)."""

from django.core.management.base import BaseCommand

from linli.demo.builder import demo_logins, seed_demo


class Command(BaseCommand):
    help = "Builds the demo communities 幸福里小区 and 和平苑 with residents, staff and logins; a second run adds nothing."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same people)")
        parser.add_argument("--small", action="store_true", help="a few dozen households, for tests")
        parser.add_argument("--logins", action="store_true", help="also print the demo logins")

    def handle(self, *args, seed: int, small: bool, logins: bool, **options):
        for row in seed_demo(seed=seed, small=small):
            if row["created"]:
                pop = row["population"]
                self.stdout.write(
                    f"{row['name']} ({row['code']}): {row['buildings']} buildings, {row['houses']} houses, "
                    f"{pop['households']} households, {pop['real']} residents "
                    f"({pop['floating']} floating, {pop['tenants']} tenants), {row['vehicles']} vehicles"
                )
            else:
                self.stdout.write(
                    f"{row['name']} ({row['code']}): already present, {row['staff_added']} staff logins added"
                )
        if not logins:
            # `linli serve` (what `make run` starts next) lists them in its banner: printing them
            # here as well showed every login twice.
            self.stdout.write(
                "Demo logins: listed by `linli serve` when it starts, or `linli seed_demo --logins`."
            )
            return
        self.stdout.write("Demo logins:")
        for login in demo_logins():
            self.stdout.write(
                f"  {login['community'] or '-':<8} {login['role']:<12} {login['login']:<16} {login['password']}"
            )
