from django.urls import path

from brokerdesk.org import views

app_name = "org"

urlpatterns = [
    path("tree/", views.org_tree, name="tree"),
    path("regions/new/", views.RegionFormPage.as_view(), name="region-create"),
    path("regions/<int:pk>/edit/", views.RegionFormPage.as_view(), name="region-edit"),
    path("branches/new/", views.BranchFormPage.as_view(), name="branch-create"),
    path("branches/<int:pk>/", views.branch_detail, name="branch-detail"),
    path("branches/<int:pk>/edit/", views.BranchFormPage.as_view(), name="branch-edit"),
    path("departments/new/", views.DepartmentFormPage.as_view(), name="department-create"),
    path("departments/<int:pk>/edit/", views.DepartmentFormPage.as_view(), name="department-edit"),
    path("teams/", views.TeamListPage.as_view(), name="team-list"),
    path("teams/new/", views.TeamFormPage.as_view(), name="team-create"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("teams/<int:pk>/edit/", views.TeamFormPage.as_view(), name="team-edit"),
    path("outlets/", views.OutletListPage.as_view(), name="outlet-list"),
    path("outlets/new/", views.OutletFormPage.as_view(), name="outlet-create"),
    path("outlets/<int:pk>/", views.outlet_detail, name="outlet-detail"),
    path("outlets/<int:pk>/edit/", views.OutletFormPage.as_view(), name="outlet-edit"),
    path("banks/", views.bank_list, name="bank-list"),
    path("banks/new/", views.BankFormPage.as_view(), name="bank-create"),
    path("banks/<int:pk>/", views.bank_detail, name="bank-detail"),
    path("banks/<int:pk>/edit/", views.BankFormPage.as_view(), name="bank-edit"),
    path("agreements/", views.AgreementListPage.as_view(), name="agreement-list"),
    path("agreements/new/", views.AgreementFormPage.as_view(), name="agreement-create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/edit/", views.AgreementFormPage.as_view(), name="agreement-edit"),
    path("agreements/<int:pk>/attachment/", views.agreement_attachment, name="agreement-attachment"),
    path("staff/", views.StaffListPage.as_view(), name="staff-list"),
    path("staff/new/", views.StaffFormPage.as_view(), name="staff-create"),
    path("staff/<int:pk>/", views.staff_detail, name="staff-detail"),
    path("staff/<int:pk>/edit/", views.StaffFormPage.as_view(), name="staff-edit"),
    path("staff/<int:pk>/transfer/", views.staff_transfer, name="staff-transfer"),
    path("staff/<int:pk>/reveal/<str:field>/", views.staff_reveal, name="staff-reveal"),
]
