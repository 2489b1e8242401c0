from django.urls import path

from brokerdesk.approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path(
        "requests/<int:pk>/actions/<int:action_pk>/attachment/",
        views.action_attachment,
        name="action-attachment",
    ),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path("requests/<int:pk>/resubmit/", views.request_resubmit, name="request-resubmit"),
    path("delegations/", views.delegations, name="delegations"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
]
