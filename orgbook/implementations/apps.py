from django.apps import AppConfig


class ImplementationsConfig(AppConfig):
    name = "orgbook.implementations"
    label = "implementations"
    verbose_name = "Implementations"

    def ready(self) -> None:
        from orgbook import datadir  # noqa: F401  (registers the data directory's permission check)
        from orgbook.implementations import vault  # noqa: F401  (registers the missing-keys check)
