"""The training archive over the API (registered by ``people.api.register``), with the
pages' scopes: a client manager sees their own training rows only.

- ``/api/people/training/programmes/``: list, retrieve, create, PATCH.
- ``/api/people/training/sessions/``: list (``programme``, ``category``, ``year``), retrieve,
  create, PATCH; actions (POST, the organiser's designated person): ``attendees``
  (``staff``, ``candidates``), ``remove-attendee`` (``attendance``), ``results`` (``rows``:
  attendance, result, score, comment), ``confirm``; GET ``records`` (the session's rows the
  caller may see).
- ``/api/people/training/records/``: the training rows in scope (``staff``, ``candidate``,
  ``session``, ``result``).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from brokerdesk.access.roles import TRAINING_RECORD
from brokerdesk.access.scope import get_for_user, has_perm
from brokerdesk.people import selectors_training as sel
from brokerdesk.people import serializers_training as ser
from brokerdesk.people import services_training as svc
from brokerdesk.people.models_training import TrainingAttendance, TrainingProgramme, TrainingSession

urlpatterns: list = []


class _Writes:
    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not has_perm(request.user, TRAINING_RECORD):
            raise exceptions.PermissionDenied()

    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])


class ProgrammeViewSet(
    _Writes,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ser.ProgrammeSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = ["branch", "category", "is_active"]

    def get_queryset(self):
        return sel.programme_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ser.ProgrammeUpdateSerializer
        return super().get_serializer_class()

    def _answer(self, programme, code=status.HTTP_200_OK):
        return Response(self.serializer_class(self.get_queryset().get(pk=programme.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        programme = svc.programme_save(
            actor=request.user, programme=TrainingProgramme(**serializer.validated_data)
        )
        return self._answer(programme, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        programme = get_for_user(request.user, TrainingProgramme, kwargs["pk"])
        serializer = self.get_serializer(programme, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(programme, name, value)
        return self._answer(svc.programme_save(actor=request.user, programme=programme))


class SessionViewSet(
    _Writes,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ser.SessionSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields: list = []

    def get_queryset(self):
        rows = sel.session_list(user=self.request.user)
        q = self.request.query_params
        if (programme := q.get("programme", "")).isdigit():
            rows = rows.filter(programme_id=int(programme))
        if q.get("category"):
            rows = rows.filter(programme__category=q["category"])
        if (year := q.get("year", "")).isdigit():
            rows = rows.filter(starts_at__year=int(year))
        return rows

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ser.SessionUpdateSerializer
        return super().get_serializer_class()

    def _answer(self, session, code=status.HTTP_200_OK):
        fresh = sel.session_list(user=self.request.user).get(pk=session.pk)
        return Response(ser.SessionSerializer(fresh).data, status=code)

    def _payload(self, serializer_class):
        payload = serializer_class(data=self.request.data)
        payload.is_valid(raise_exception=True)
        return payload.validated_data

    def _session(self) -> TrainingSession:
        return get_for_user(self.request.user, TrainingSession, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = svc.session_save(actor=request.user, session=TrainingSession(**serializer.validated_data))
        return self._answer(session, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        session = self._session()
        serializer = self.get_serializer(session, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(session, name, value)
        return self._answer(svc.session_save(actor=request.user, session=session))

    @extend_schema(request=ser.AttendeesSerializer, responses=ser.RecordSerializer(many=True))
    @action(detail=True, methods=["post"])
    def attendees(self, request, pk=None):
        """Put staff members and candidates on the session's list."""
        session = self._session()
        d = self._payload(ser.AttendeesSerializer)
        svc.attendees_add(actor=request.user, session=session, staff=d["staff"], candidates=d["candidates"])
        return self._rows(session, status.HTTP_201_CREATED)

    @extend_schema(request=ser.RemoveSerializer, responses=ser.RecordSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="remove-attendee")
    def remove_attendee(self, request, pk=None):
        session = self._session()
        d = self._payload(ser.RemoveSerializer)
        row = TrainingAttendance.objects.filter(session=session, pk=d["attendance"]).first()
        if row is None:
            raise exceptions.ValidationError(
                {"attendance": [_("This attendee is not on the session's list.")]}
            )
        svc.attendee_remove(actor=request.user, attendance=row)
        return self._rows(session)

    @extend_schema(request=ser.ResultsSerializer, responses=ser.RecordSerializer(many=True))
    @action(detail=True, methods=["post"])
    def results(self, request, pk=None):
        """Enter the results after the session (scores follow the programme's pass mark)."""
        session = self._session()
        d = self._payload(ser.ResultsSerializer)
        svc.results_record(actor=request.user, session=session, rows=[dict(r) for r in d["rows"]])
        return self._rows(session)

    @extend_schema(request=None, responses=ser.SessionSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        session = svc.results_confirm(actor=request.user, session=self._session())
        return self._answer(session)

    @extend_schema(responses=ser.RecordSerializer(many=True))
    @action(detail=True, methods=["get"])
    def records(self, request, pk=None):
        return self._rows(self._session())

    def _rows(self, session, code=status.HTTP_200_OK):
        rows = sel.attendance_list(user=self.request.user).filter(session=session).order_by("id")
        return Response(ser.RecordSerializer(rows, many=True).data, status=code)


class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Training rows in scope: a client manager's own, a team lead's team's…"""

    serializer_class = ser.RecordSerializer
    filterset_fields = ["staff", "candidate", "session", "result"]

    def get_queryset(self):
        return sel.attendance_list(user=self.request.user).order_by("-session__starts_at", "-id")

    def get_object(self):
        return get_for_user(self.request.user, self.get_queryset(), self.kwargs["pk"])


def register(router) -> None:
    router.register("people/training/programmes", ProgrammeViewSet, basename="training-programme")
    router.register("people/training/sessions", SessionViewSet, basename="training-session")
    router.register("people/training/records", RecordViewSet, basename="training-record")
