from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "orgbook.runs"
    label = "runs"
    verbose_name = "Runs"
