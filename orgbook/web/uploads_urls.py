"""Uploading folders into org models, mounted at /uploads/."""

from django.urls import path

from orgbook.web.views import uploads

urlpatterns = [
    path("s/<slug:slug>/i/<id:impl_id>/", uploads.upload, name="upload_model"),
    path("s/<slug:slug>/runs/<id:run_id>/", uploads.run_status, name="upload_run"),
]
