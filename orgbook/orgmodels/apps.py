from django.apps import AppConfig


class OrgModelsConfig(AppConfig):
    name = "orgbook.orgmodels"
    label = "orgmodels"
    verbose_name = "Org models"
