from django.apps import AppConfig


class ImplementationsConfig(AppConfig):
    name = "orgbook.implementations"
    label = "implementations"
    verbose_name = "Implementations"
