from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "orgbook.spaces"
    label = "spaces"
    verbose_name = "Spaces"
