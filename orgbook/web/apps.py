from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "orgbook.web"
    label = "web"
