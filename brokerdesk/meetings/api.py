"""Meetings over the API: the same services, scopes and refusals as the pages."""

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from brokerdesk.access import roles
from brokerdesk.core.api import ScopedViewSet
from brokerdesk.meetings import selectors, serializers, services
from brokerdesk.meetings.models import Meeting

MAX_PERIOD_DAYS = 186


class MeetingViewSet(ScopedViewSet):
    """Meetings in the caller's scope. Recording needs a team lead's or branch manager's role
    for the team; a correction is the recorder's, on the day of recording."""

    serializer_class = serializers.MeetingSerializer
    change_perm = roles.MEETING_CHANGE
    filterset_fields = ["team", "kind", "held_on"]

    def get_queryset(self):
        return selectors.meeting_list(user=self.request.user).prefetch_related(
            "attendance__staff", "decisions__owner"
        )

    def _out(self, meeting: Meeting, code=status.HTTP_200_OK) -> Response:
        meeting = selectors.meeting_get(user=self.request.user, pk=meeting.pk)
        return Response(self.get_serializer(meeting).data, status=code)

    @extend_schema(request=serializers.MeetingWriteSerializer, responses=serializers.MeetingSerializer)
    def create(self, request, *args, **kwargs):
        payload = serializers.MeetingWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        meeting = services.meeting_record(
            actor=request.user,
            team=data["team"],
            kind=data["kind"],
            held_on=data["held_on"],
            chair=data["chair"],
            minutes=data["minutes"],
            attendance=data.get("attendance", []),
            decisions=data.get("decisions", []),
        )
        return self._out(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.MeetingWriteSerializer, responses=serializers.MeetingSerializer)
    def update(self, request, *args, **kwargs):
        meeting = self.get_object()
        partial = kwargs.get("partial", False)
        payload = serializers.MeetingWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if not partial:
            missing = {k: ["This field is required."] for k in ("chair", "minutes") if k not in data}
            if missing:
                raise ValidationError(missing)
        meeting = services.meeting_update(
            actor=request.user,
            meeting=meeting,
            chair=data.get("chair", meeting.chair),
            minutes=data.get("minutes", meeting.minutes),
            attendance=data.get(
                "attendance",
                [
                    {"staff": a.staff_id, "present": a.present, "note": a.note}
                    for a in meeting.attendance.all()
                ],
            ),
            decisions=data.get(
                "decisions",
                [{"text": d.text, "owner": d.owner_id, "due_on": d.due_on} for d in meeting.decisions.all()],
            ),
        )
        return self._out(meeting)


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: ["Use the date format YYYY-MM-DD."]}) from None


class MissedView(generics.GenericAPIView):
    """Per team in the caller's scope: missed morning meetings (days), weekly meetings (the
    Monday of each week) and monthly meetings (the 1st of each month) in a period (default:
    the first of last month to yesterday; at most half a year)."""

    serializer_class = serializers.MissedSerializer

    def get_queryset(self):
        return selectors.overview_teams(user=self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
            OpenApiParameter("team", OpenApiTypes.INT),
        ],
        responses=serializers.MissedSerializer(many=True),
    )
    def get(self, request):
        today = timezone.localdate()
        start, end = selectors.default_period(today)
        start = _date(request.query_params.get("start"), "start") or start
        end = min(_date(request.query_params.get("end"), "end") or end, today - dt.timedelta(days=1))
        if start > end:
            raise ValidationError({"start": ["The period starts after it ends (or after yesterday)."]})
        if (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError({"start": [f"At most {MAX_PERIOD_DAYS} days."]})
        teams = self.get_queryset()
        team = request.query_params.get("team")
        if team:
            if not team.isdigit():
                raise ValidationError({"team": ["A team id."]})
            teams = teams.filter(pk=team)
        page = self.paginate_queryset(teams)
        rows = selectors.missed_rows(teams=list(page), start=start, end=end)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)
