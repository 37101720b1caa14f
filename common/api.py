"""
REST API building blocks: permissions by role, scoping by unit, one pagination, one error shape.

Every error body has the same shape: `{"message": str, "extra": {...}}`; validation errors put the
field errors in `extra.fields`.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.exceptions import ApplicationError
from common.scoping import ensure_in_scope, restrict_related_choices, scope_queryset


def _field_errors(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {k: _field_errors(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_field_errors(v) for v in detail]
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every error into `{"message", "extra"}` with the right status."""
    if isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "extra": exc.extra}, status=exc.status_code)
    if isinstance(exc, ProtectedError):
        return Response(
            {
                "message": _("This object is still used by other objects and cannot be deleted."),
                "extra": {"protected": [str(o) for o in list(exc.protected_objects)[:10]]},
            },
            status=409,
        )
    if isinstance(exc, IntegrityError):
        # The last guard: validation missed a database rule (or a concurrent write won the race).
        return Response(
            {"message": _("This change conflicts with the data already stored; reload and try again."), "extra": {}},
            status=409,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        # A rule about the whole object (a database constraint, `clean()`) is the message itself.
        general = fields.get("non_field_errors") or fields.get("__all__") if isinstance(fields, dict) else None
        message = " ".join(general) if isinstance(general, list) and general else _("Invalid input.")
        body = {"message": message, "extra": {"fields": fields}}
    else:
        detail = getattr(exc, "detail", "")
        body = {"message": str(detail), "extra": {"code": getattr(detail, "code", None)}}
    response.data = body
    return response


class ScopedSerializerMixin:
    """Limits related-object choices to what the requesting user may see."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        request = self.context.get("request")  # type: ignore[attr-defined]
        if request is not None and request.user.is_authenticated:
            restrict_related_choices(fields, request.user)
        return fields


class HistorySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    history_date = serializers.DateTimeField()
    history_type = serializers.CharField()
    history_user = serializers.CharField(allow_null=True)
    changes = serializers.DictField()


def history_rows(instance: Any) -> list[dict[str, Any]]:
    """Change history of an object, newest first, with the fields each change touched."""
    records = list(instance.history.select_related("history_user").order_by("-history_date", "-history_id"))
    rows = []
    for i, record in enumerate(records):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes: dict[str, Any] = {}
        if previous is not None:
            for change in record.diff_against(previous).changes:
                changes[change.field] = {"old": _plain(change.old), "new": _plain(change.new)}
        rows.append(
            {
                "history_id": record.history_id,
                "history_date": record.history_date,
                "history_type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "history_user": str(record.history_user) if record.history_user else None,
                "changes": changes,
                "record": record,
            }
        )
    return rows


def _plain(value: Any) -> Any:
    """A raw value for JSON: times in ISO 8601 local time (as DRF writes `history_date`), lists as lists."""
    if isinstance(value, (int, float, bool, type(None))):
        return value
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


class ScopedModelViewSet(viewsets.ModelViewSet):
    """
    CRUD for a model that belongs to a unit: the queryset is cut to the user's units (other units'
    objects are 404), saves that would move an object out of them are refused, and `history/` lists
    the object's changes.
    """

    def get_queryset(self) -> Any:
        return scope_queryset(super().get_queryset(), self.request.user)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        self._check_scope(serializer)
        serializer.save()

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        self._check_scope(serializer)
        serializer.save()

    def _check_scope(self, serializer: serializers.BaseSerializer) -> None:
        model = self.get_queryset().model
        instance = serializer.instance or model()
        for name, value in serializer.validated_data.items():
            if not isinstance(value, list):
                setattr(instance, name, value)
        ensure_in_scope(self.request.user, instance)
        # Every database constraint (checks and uniques) is checked first, so a write that breaks
        # one is a 400 with the constraint's own message rather than an IntegrityError (a 500).
        instance.validate_constraints()

    @extend_schema(responses=HistorySerializer(many=True), filters=False, parameters=[])
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        rows = history_rows(self.get_object())
        for row in rows:
            row.pop("record")
        return Response(HistorySerializer(rows, many=True).data)
