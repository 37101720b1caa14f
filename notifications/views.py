"""Pages for one's own notifications: the list, marking read, the preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import generic

from common.views import ObjectViewMixin
from notifications import selectors, services
from notifications.models import Notification


class OwnNotificationsMixin(ObjectViewMixin):
    """Role permission `view_notification` (403) and only the user's own rows (others are 404)."""

    model = Notification

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.notification_list(user=self.request.user)


class NotificationListView(OwnNotificationsMixin, generic.ListView):
    template_name = "notifications/notification_list.html"
    paginate_by = 25
    context_object_name = "notifications"

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.notification_list(user=self.request.user, unread_only=self.unread_only)

    @property
    def unread_only(self) -> bool:
        return self.request.GET.get("unread") == "1"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"unread_only": self.unread_only}


class NotificationReadView(OwnNotificationsMixin, generic.View):
    """POST: mark one read, then go to `next` or to what the notification points at."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification = services.notification_mark_read(notification=get_object_or_404(self.get_queryset(), pk=pk))
        return HttpResponseRedirect(_safe_next(request, request.POST.get("next") or notification.url))


class NotificationReadAllView(OwnNotificationsMixin, generic.View):
    def post(self, request: HttpRequest) -> HttpResponse:
        count = services.notification_mark_all_read(user=request.user)
        messages.success(
            request,
            ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
            % {"count": count},
        )
        return HttpResponseRedirect(_safe_next(request, request.POST.get("next", "")))


def _safe_next(request: HttpRequest, url: str) -> str:
    """Only local links are followed; anything else goes back to the list."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return reverse("notifications:notification_list")


class PreferencesForm(forms.Form):
    """Two switches per kind: `<kind>-in_app` and `<kind>-email`."""

    def __init__(self, *args: Any, rows: list[selectors.KindPreference], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        channels = {"in_app": _("in the portal"), "email": _("by email")}
        for row in rows:
            for channel, channel_label in channels.items():
                label = f"{row.label}: {channel_label}"
                self.fields[f"{row.kind}-{channel}"] = forms.BooleanField(
                    label=label,
                    required=False,
                    initial=getattr(row, channel),
                    widget=forms.CheckboxInput(
                        attrs={"class": "form-check-input", "role": "switch", "aria-label": label}
                    ),
                )

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {row.kind: (data[f"{row.kind}-in_app"], data[f"{row.kind}-email"]) for row in self.rows}

    def table(self) -> list[tuple[selectors.KindPreference, forms.BoundField, forms.BoundField]]:
        return [(row, self[f"{row.kind}-in_app"], self[f"{row.kind}-email"]) for row in self.rows]


class NotificationPreferencesView(OwnNotificationsMixin, generic.FormView):
    template_name = "notifications/preferences.html"
    form_class = PreferencesForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"rows": selectors.notification_preferences(user=self.request.user)}

    def form_valid(self, form: PreferencesForm) -> HttpResponse:
        services.notification_preferences_set(user=self.request.user, choices=form.choices())
        messages.success(self.request, _("Your notification preferences are saved."))
        return HttpResponseRedirect(reverse("notifications:preferences"))
