"""Connecting Salesforce orgs, mounted at /orgs/ (the OAuth callback is /orgs/oauth/callback)."""

from django.urls import path

from orgbook.web.views import orgs, syncs

urlpatterns = [
    # connect.callback_url() is BASE_URL + "/orgs/oauth/callback", exactly, without a trailing slash.
    path("oauth/callback", orgs.oauth_callback, name="org_oauth_callback"),
    path("s/<slug:slug>/login/", orgs.start_login, name="org_login"),
    path("s/<slug:slug>/connections/<id:conn_id>/reconnect/", orgs.reconnect, name="org_reconnect"),
    path("s/<slug:slug>/connections/<id:conn_id>/disconnect/", orgs.disconnect, name="org_disconnect"),
    path("s/<slug:slug>/connections/<id:conn_id>/sync/", syncs.sync_now, name="org_sync_now"),
    path("s/<slug:slug>/connections/<id:conn_id>/sync-status/", syncs.sync_status, name="org_sync_status"),
    path("s/<slug:slug>/connections/<id:conn_id>/schedule/", syncs.schedule, name="org_schedule"),
    path("s/<slug:slug>/connections/<id:conn_id>/first-sync/", syncs.first_sync, name="org_first_sync"),
    path("s/<slug:slug>/rebind/<id:attempt_id>/", orgs.rebind, name="org_rebind"),
    path("s/<slug:slug>/implementations/<id:impl_id>/reauthorise/", orgs.reauthorise_all,
         name="org_reauthorise_all"),
]
