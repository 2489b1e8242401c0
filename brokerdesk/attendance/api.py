"""Attendance over the API: one-tap punches, leave, missed punches, outings and their checks,
patrols and the monthly sheet — the same services and scopes as the pages."""

import datetime as dt

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.attendance import selectors, serializers, services
from brokerdesk.attendance.models import DailyRecord, LeaveRequest, LeaveType, Outing, Patrol, PunchCorrection
from brokerdesk.org.models import Branch, Team


class PunchView(APIView):
    """POST check-in or check-out now, with the server's time. A repeated check-in is a no-op."""

    @extend_schema(request=None, responses=serializers.DailyRecordSerializer)
    def post(self, request, kind: str):
        if kind == "check-in":
            record = services.check_in(actor=request.user)
        elif kind == "check-out":
            record = services.check_out(actor=request.user)
        else:
            raise Http404
        return Response(serializers.DailyRecordSerializer(record).data)


class RecordViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.DailyRecordSerializer
    queryset = DailyRecord.objects.none()
    filterset_fields = ["day", "staff"]

    def get_queryset(self):
        return visible(self.request.user, DailyRecord).order_by("-day", "staff_id")


class LeaveTypeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.LeaveTypeSerializer
    queryset = LeaveType.objects.all()


class LeaveViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = serializers.LeaveSerializer
    queryset = LeaveRequest.objects.none()
    filterset_fields = ["status", "staff"]

    def get_queryset(self):
        return visible(self.request.user, LeaveRequest).order_by("-starts_on", "-id")

    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = services.leave_request(
            actor=self.request.user,
            leave_type=d["leave_type"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            reason=d["reason"],
        )


class CorrectionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.CorrectionSerializer
    queryset = PunchCorrection.objects.none()

    def get_queryset(self):
        return visible(self.request.user, PunchCorrection).order_by("-day", "-id")

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = services.correction_request(
            actor=self.request.user, day=d["day"], kind=d["kind"], at=d["at"], reason=d["reason"]
        )


class OutingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = serializers.OutingSerializer
    queryset = Outing.objects.none()
    filterset_fields = ["status", "staff"]

    def get_queryset(self):
        return visible(self.request.user, Outing).order_by("-starts_at", "-id")

    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = services.outing_submit(actor=self.request.user, **d)

    @extend_schema(request=serializers.OutingCheckSerializer, responses=serializers.OutingSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """The lead's check afterwards (confirmed / not confirmed, with a remark)."""
        outing = get_for_user(request.user, Outing, pk, roles.OUTING_CHECK)
        payload = serializers.OutingCheckSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        outing = services.outing_check(
            actor=request.user,
            outing=outing,
            result=payload.validated_data["check_result"],
            remark=payload.validated_data["check_remark"],
        )
        return Response(serializers.OutingSerializer(outing).data)


class PatrolViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.PatrolSerializer
    queryset = Patrol.objects.none()

    def get_queryset(self):
        return visible(self.request.user, Patrol).prefetch_related("present").order_by("-day", "-id")

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = services.patrol_record(
            actor=self.request.user,
            day=d["day"],
            outlet=d["outlet"],
            present=list(d.get("present", [])),
            findings=d["findings"],
        )


class SheetView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM"),
            OpenApiParameter("team", int),
            OpenApiParameter("branch", int),
        ],
        responses=serializers.SheetRowSerializer(many=True),
    )
    def get(self, request):
        try:
            month = dt.datetime.strptime(request.query_params.get("month", "")[:7], "%Y-%m").date()
        except ValueError:
            return Response({"month": ["YYYY-MM"]}, status=status.HTTP_400_BAD_REQUEST)
        team = branch = None
        if request.query_params.get("team"):
            team = get_for_user(request.user, Team, request.query_params["team"])
        elif request.query_params.get("branch"):
            branch = get_for_user(request.user, Branch, request.query_params["branch"])
        else:
            return Response({"team": ["team or branch"]}, status=status.HTTP_400_BAD_REQUEST)
        people = selectors.sheet_people(user=request.user, team=team, branch=branch, month=month)
        sheet = selectors.month_sheet(
            people=people, month=month, branch_id=branch.pk if branch else team.branch_id
        )
        data = [
            {
                "staff": r.staff,
                "marks": r.marks,
                "totals": {str(k): v for k, v in r.totals.items()},
                "overtime_hours": r.overtime_hours,
                "late_early": r.late_early,
                "excess": r.excess,
                "deduction": r.deduction,
            }
            for r in sheet.rows
        ]
        return Response(serializers.SheetRowSerializer(data, many=True).data)
