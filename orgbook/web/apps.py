from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "orgbook.web"
    label = "web"

    def ready(self) -> None:
        from orgbook.web import signin

        signin.connect_signals()
