from django.urls import path
from rest_framework.routers import DefaultRouter

from brokerdesk.access.api import MeView, TokenView
from brokerdesk.approvals import api as approvals_api
from brokerdesk.archives import api as archives_api
from brokerdesk.assets import api as assets_api
from brokerdesk.attendance import api as attendance_api
from brokerdesk.clients import api as clients_api
from brokerdesk.meetings import api as meetings_api
from brokerdesk.org import api as org_api
from brokerdesk.people import api as people_api
from brokerdesk.performance import api as performance_api
from brokerdesk.planning import api as planning_api
from brokerdesk.worklogs import api as worklogs_api

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
router.register("approvals/flows", approvals_api.FlowViewSet, basename="approval-flow")
router.register("approvals/inbox", approvals_api.InboxViewSet, basename="approval-inbox")
router.register("approvals/requests", approvals_api.RequestViewSet, basename="approval-request")
router.register("approvals/delegations", approvals_api.DelegationViewSet, basename="approval-delegation")
router.register("approvals/notifications", approvals_api.NotificationViewSet, basename="notification")
router.register("attendance/records", attendance_api.RecordViewSet, basename="attendance-record")
router.register("attendance/leave-types", attendance_api.LeaveTypeViewSet, basename="leave-type")
router.register("attendance/leave", attendance_api.LeaveViewSet, basename="leave")
router.register("attendance/corrections", attendance_api.CorrectionViewSet, basename="punch-correction")
router.register("attendance/outings", attendance_api.OutingViewSet, basename="outing")
router.register("attendance/patrols", attendance_api.PatrolViewSet, basename="patrol")
router.register("planning/plans", planning_api.PlanViewSet, basename="plan")
router.register("planning/actions", planning_api.CorrectiveActionViewSet, basename="corrective-action")
router.register("planning/actuals", planning_api.ActualViewSet, basename="actual")
router.register("worklogs/logs", worklogs_api.WorkLogViewSet, basename="worklog")
router.register("worklogs/spot-checks", worklogs_api.SpotCheckViewSet, basename="worklog-spotcheck")
router.register("meetings/meetings", meetings_api.MeetingViewSet, basename="meeting")
clients_api.register(router)
performance_api.register(router)
people_api.register(router)
archives_api.register(router)
assets_api.register(router)

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("token/", TokenView.as_view(), name="api-token"),
    path("planning/progress/", planning_api.ProgressView.as_view(), name="api-progress"),
    path("attendance/punch/<str:kind>/", attendance_api.PunchView.as_view(), name="api-punch"),
    path("attendance/sheet/", attendance_api.SheetView.as_view(), name="api-attendance-sheet"),
    path("meetings/missed/", meetings_api.MissedView.as_view(), name="api-meetings-missed"),
    *clients_api.extra_urls(),
    *performance_api.extra_urls(),
    *people_api.extra_urls(),
    *archives_api.extra_urls(),
    *assets_api.extra_urls(),
    *router.urls,
]
