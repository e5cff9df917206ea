"""Documentation pages, mounted at /d/."""

from django.urls import path

from orgbook.web.views import documentation as views

urlpatterns = [
    path("s/<slug:slug>/m/<id:model_id>/c/<str:type>/<path:full_name>/", views.component,
         name="documentation_component"),
    path("s/<slug:slug>/m/<id:model_id>/coverage/", views.coverage_page, name="documentation_coverage"),
    path("s/<slug:slug>/m/<id:model_id>/tree/", views.tree_page, name="documentation_tree"),
    path("s/<slug:slug>/i/<id:impl_id>/", views.implementation_docs, name="documentation_list"),
    path("s/<slug:slug>/i/<id:impl_id>/import/", views.import_csv, name="documentation_import"),
    path("s/<slug:slug>/i/<id:impl_id>/reference-models/new/", views.new_reference_model,
         name="documentation_new_reference"),
    path("s/<slug:slug>/i/<id:impl_id>/export.<str:fmt>", views.export, name="documentation_export"),
]
