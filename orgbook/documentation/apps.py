from django.apps import AppConfig


class DocumentationConfig(AppConfig):
    name = "orgbook.documentation"
    label = "documentation"
    verbose_name = "Documentation"

    def ready(self) -> None:
        from orgbook.documentation import signals

        signals.connect()
