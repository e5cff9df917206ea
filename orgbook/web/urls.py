from django.contrib.auth.views import LogoutView
from django.urls import path

from orgbook.web.views import account, assets, audit, auth, connect, implementations, members, subscription
from orgbook.web.views import changes as changes_views

urlpatterns = [
    path("", auth.home, name="home"),
    path("favicon.ico", assets.favicon, name="favicon"),
    path("signup/", auth.signup, name="signup"),
    path("login/", auth.OrgbookLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(next_page="login"), name="logout"),
    path("spaces/new/", auth.create_space, name="create_space"),
    path("account/tokens/", account.tokens, name="tokens"),
    path("account/tokens/<id:token_id>/revoke/", account.revoke_token, name="revoke_token"),
    path("invitations/<str:token>/", members.invitation, name="invitation"),
    path("verify-email/<str:signed>/", auth.verify_email, name="verify_email"),
    path("s/<slug:slug>/", implementations.implementations, name="implementations"),
    path("s/<slug:slug>/implementations/new/", implementations.create, name="create_implementation"),
    path("s/<slug:slug>/implementations/<id:impl_id>/panel/", implementations.panel, name="implementation_panel"),
    path("s/<slug:slug>/implementations/<id:impl_id>/edit/", implementations.edit, name="edit_implementation"),
    path("s/<slug:slug>/implementations/<id:impl_id>/delete/", implementations.delete, name="delete_implementation"),
    path(
        "s/<slug:slug>/implementations/<id:impl_id>/reactivate/",
        implementations.reactivate, name="reactivate_implementation",
    ),
    path("s/<slug:slug>/connect/", connect.connect_kind, name="connect"),
    path("s/<slug:slug>/connect/implementation/", connect.connect_implementation, name="connect_implementation"),
    path("s/<slug:slug>/connect/next/", connect.connect_next_step, name="connect_next_step"),
    path("s/<slug:slug>/subscription/", subscription.subscription, name="subscription"),
    path("s/<slug:slug>/subscription/renew/", subscription.renew, name="renew"),
    path("s/<slug:slug>/members/", members.member_list, name="members"),
    path("s/<slug:slug>/members/invite/", members.invite, name="invite"),
    path("s/<slug:slug>/members/<id:member_id>/role/", members.change_role, name="change_role"),
    path("s/<slug:slug>/members/<id:member_id>/remove/", members.remove, name="remove_member"),
    path("s/<slug:slug>/invitations/<id:invitation_id>/resend/", members.resend_invitation, name="resend_invitation"),
    path("s/<slug:slug>/invitations/<id:invitation_id>/revoke/", members.revoke_invitation, name="revoke_invitation"),
    path("s/<slug:slug>/audit/", audit.audit_log, name="audit"),
    path("s/<slug:slug>/changes/", changes_views.feed, name="changes"),
    path("s/<slug:slug>/changes.<str:fmt>", changes_views.feed_export, name="changes_export"),
    path("s/<slug:slug>/runs/<id:run_id>/changes/", changes_views.run_changes, name="run_changes"),
    path("s/<slug:slug>/audit/export.csv", audit.audit_export, name="audit_export"),
]
