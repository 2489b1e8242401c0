from django.urls import path

from brokerdesk.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("plans/new/", views.plan_form, name="plan-create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", views.plan_form, name="plan-edit"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/revise/", views.plan_revise, name="plan-revise"),
    path("plans/<int:pk>/decompose/", views.plan_decompose, name="plan-decompose"),
    path("plans/<int:pk>/export/", views.plan_export, name="plan-export"),
    path("plans/<int:pk>/attachment/", views.plan_attachment, name="plan-attachment"),
    path("standards/<int:pk>/attachment/", views.standard_attachment, name="standard-attachment"),
    path("plans/<int:pk>/reviews/", views.review_create, name="review-create"),
    path("actions/<int:pk>/done/", views.action_done, name="action-done"),
    path("mine/", views.my_targets, name="my-targets"),
    path("actuals/", views.actuals, name="actuals"),
    path("actuals/import/", views.actuals_import, name="actuals-import"),
    path("progress/", views.progress, name="progress"),
    path("standards/", views.standard_list, name="standard-list"),
    path("standards/new/", views.standard_form, name="standard-create"),
    path("standards/<int:pk>/", views.standard_detail, name="standard-detail"),
    path("standards/<int:pk>/edit/", views.standard_form, name="standard-edit"),
    path("standards/<int:pk>/submit/", views.standard_submit, name="standard-submit"),
]
