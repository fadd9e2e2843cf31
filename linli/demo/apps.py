from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo communities (`linli seed_demo`); an installation may leave this app out."""

    name = "linli.demo"
    label = "demo"
    verbose_name = "演示数据"

    def logins(self) -> list[dict]:
        """The demo logins, for `linli serve`'s banner (core asks through the app registry)."""
        from linli.demo.builder import demo_logins  # the builder imports models: after app loading

        return demo_logins()

    def pages(self) -> list[tuple[str, str]]:
        """Where to look first, for `linli serve`'s banner: (label, path)."""
        from linli.demo.builder import demo_pages

        return demo_pages()
