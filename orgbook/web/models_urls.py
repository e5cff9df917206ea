"""Exploring org models, mounted at /m/: dictionary, search, component pages, compare, exports."""

from django.urls import path

from orgbook.web.views import links
from orgbook.web.views import models as views

urlpatterns = [
    path("<id:model_id>/", views.dictionary, name="model_dictionary"),
    path("<id:model_id>/tree/", views.tree_node, name="model_tree_node"),
    path("<id:model_id>/export.<str:fmt>", views.export, name="model_export"),
    path("<id:model_id>/views/", views.save_view, name="model_save_view"),
    path("<id:model_id>/views/<id:view_id>/delete/", views.delete_view, name="model_delete_view"),
    path("<id:model_id>/search/", views.search_page, name="model_search"),
    path("<id:model_id>/component-options/", views.component_options, name="model_component_options"),
    path("<id:model_id>/links/add/", links.add, name="model_link_add"),
    path("<id:model_id>/links/<id:link_id>/delete/", links.delete, name="model_link_delete"),
    path("<id:model_id>/compare/", views.compare_page, name="model_compare"),
    path("<id:model_id>/compare.<str:fmt>", views.compare_export, name="model_compare_export"),
    path("<id:model_id>/manifest/", views.manifest_page, name="model_manifest"),
    path("<id:model_id>/consolidate/", views.consolidate_page, name="model_consolidate"),
    path("<id:model_id>/consolidate.<str:fmt>", views.consolidate_export, name="model_consolidate_export"),
    path("<id:model_id>/manifest/<str:name>", views.manifest_file, name="model_manifest_file"),
    path("<id:model_id>/c/<str:type>/<path:full_name>/impact.<str:fmt>", views.impact_export,
         name="model_impact_export"),
    path("<id:model_id>/c/<str:type>/<path:full_name>", views.component, name="model_component"),
]
