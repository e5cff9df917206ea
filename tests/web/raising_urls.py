"""Orgbook's URLconf with one more page that fails, in a Space and outside one, for the tests of the 500
page (settings.ROOT_URLCONF = "tests.web.raising_urls"). Every other route is Orgbook's own."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from orgbook.urls import handler400, handler404, handler500
from orgbook.urls import urlpatterns as orgbook_urlpatterns

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]


def fails(request: HttpRequest, slug: str = "") -> HttpResponse:
    raise RuntimeError("a page that fails, for the 500 page's tests")


urlpatterns = [
    path("s/<slug:slug>/fails/", fails),
    path("fails/", fails),
    *orgbook_urlpatterns,
]
