from django.urls import path

from brokerdesk.worklogs import views

app_name = "worklogs"

urlpatterns = [
    path("", views.my_logs, name="mine"),
    path("write/", views.write, name="write"),
    path("logs/<int:pk>/", views.log_detail, name="log-detail"),
    path("team/", views.team_logs, name="team"),
    path("missing/", views.missing, name="missing"),
    path("spot-checks/", views.check_list, name="check-list"),
    path("spot-checks/new/", views.check_create, name="check-create"),
    path("spot-checks/<int:pk>/", views.check_detail, name="check-detail"),
    path("spot-checks/items/<int:pk>/record/", views.record, name="record"),
]
