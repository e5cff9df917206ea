from django.urls import include, path

from orgbook import ids

ids.register()  # before any route below is built: they use <id:...> and {id:...}

from orgbook.api.urls import api  # noqa: E402

urlpatterns = [
    path("api/v1/", api.urls),
    path("orgs/", include("orgbook.web.orgs_urls")),
    path("d/", include("orgbook.web.documentation_urls")),
    path("uploads/", include("orgbook.web.uploads_urls")),
    path("m/", include("orgbook.web.models_urls")),
    path("", include("orgbook.web.urls")),
]

handler400 = "orgbook.web.views.errors.bad_request"
handler404 = "orgbook.web.views.errors.not_found"
handler500 = "orgbook.web.views.errors.server_error"
