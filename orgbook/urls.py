from django.urls import include, path

from orgbook.api.urls import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("orgs/", include("orgbook.web.orgs_urls")),
    path("d/", include("orgbook.web.documentation_urls")),
    path("uploads/", include("orgbook.web.uploads_urls")),
    path("m/", include("orgbook.web.models_urls")),
    path("", include("orgbook.web.urls")),
]
