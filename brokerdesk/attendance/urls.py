from django.urls import path

from brokerdesk.attendance import views

app_name = "attendance"

urlpatterns = [
    path("", views.today, name="today"),
    path("punch/<str:kind>/", views.punch, name="punch"),
    path("me/", views.my_month, name="my-month"),
    path("leave/", views.leave_list, name="leave-list"),
    path("leave/new/", views.leave_new, name="leave-new"),
    path("leave/<int:pk>/", views.leave_detail, name="leave-detail"),
    path("corrections/new/", views.correction_new, name="correction-new"),
    path("outings/", views.outing_list, name="outing-list"),
    path("outings/new/", views.outing_new, name="outing-new"),
    path("outings/<int:pk>/check/", views.outing_check, name="outing-check"),
    path("patrols/", views.patrols, name="patrols"),
    path("record/", views.record, name="record"),
    path("sheet/", views.sheet, name="sheet"),
]
