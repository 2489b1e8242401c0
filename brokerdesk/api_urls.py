from django.urls import path
from rest_framework.routers import DefaultRouter

from brokerdesk.access.api import MeView, TokenView
from brokerdesk.org import api as org_api

router = DefaultRouter()
router.register("regions", org_api.RegionViewSet, basename="region")
router.register("branches", org_api.BranchViewSet, basename="branch")
router.register("departments", org_api.DepartmentViewSet, basename="department")
router.register("banks", org_api.PartnerBankViewSet, basename="bank")
router.register("agreements", org_api.AgreementViewSet, basename="agreement")
router.register("teams", org_api.TeamViewSet, basename="team")
router.register("outlets", org_api.OutletViewSet, basename="outlet")
router.register("levels", org_api.LevelViewSet, basename="level")
router.register("staff", org_api.StaffViewSet, basename="staff")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("token/", TokenView.as_view(), name="api-token"),
    *router.urls,
]
