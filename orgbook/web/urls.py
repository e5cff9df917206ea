from django.urls import path

from orgbook.web import views

urlpatterns = [path("", views.home, name="home")]
