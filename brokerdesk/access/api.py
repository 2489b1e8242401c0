from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerdesk.access.scope import grants_for


class MeView(APIView):
    """Who the caller is: login, staff record and roles with their scopes."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "staff_id": serializers.IntegerField(allow_null=True),
                "roles": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def get(self, request):
        staff = getattr(request.user, "staff", None)
        grants = grants_for(request.user)
        return Response(
            {
                "username": request.user.get_username(),
                "staff_id": staff.pk if staff else None,
                "roles": [
                    {
                        "role": g.role,
                        "scope": g.level.name.lower(),
                        "region": g.region_id,
                        "branch": g.branch_id,
                        "team": g.team_id,
                        "permissions": sorted(g.perms),
                    }
                    for g in grants
                ],
            }
        )


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled like the sign-in page)."""
