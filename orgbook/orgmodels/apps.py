from django.apps import AppConfig


class OrgModelsConfig(AppConfig):
    name = "orgbook.orgmodels"
    label = "orgmodels"
    verbose_name = "Org models"

    def ready(self) -> None:
        from orgbook.orgmodels import removal  # noqa: F401  (empties models before their implementation goes)
