"""API for one's own notifications: list (`?unread=1`), mark one read, mark all read."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import selectors, services
from notifications.api.serializers import NotificationSerializer
from notifications.models import Notification


class CanViewOwnNotifications(permissions.BasePermission):
    """Authenticated (401 otherwise, with the token header) and in a role (403 otherwise)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated) and request.user.has_perm(
            "notifications.view_notification"
        )


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("unread", bool, description="only unread")]))
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The requesting user's notifications; another user's are 404. Writes go through services."""

    serializer_class = NotificationSerializer
    permission_classes = (CanViewOwnNotifications,)
    queryset = Notification.objects.none()  # for the schema; get_queryset is per user
    filterset_class = None
    search_fields = ("title", "body")
    ordering_fields = ("created",)

    def get_queryset(self) -> QuerySet[Notification]:
        unread = self.request.query_params.get("unread") in ("1", "true")
        return selectors.notification_list(user=self.request.user, unread_only=unread)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        """Mark this notification read."""
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=inline_serializer("MarkedCount", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark all of the user's notifications read; answers how many changed."""
        return Response({"marked": services.notification_mark_all_read(user=request.user)})
