from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import generic
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language as django_set_language
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import User
from accounts.roles import Role
from common.audit import ACTION_LABELS, audit_page, audit_sources

NEW_TOKEN_SESSION_KEY = "accounts:new_api_token"  # noqa: S105 (a session key's name, not a secret)


class ProfileView(LoginRequiredMixin, generic.TemplateView):
    """The user's roles, unit and API token."""

    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["token"] = Token.objects.filter(user=self.request.user).only("created").first()
        # A role's label ("Kỹ thuật viên"), not its group's name ("technician").
        labels = dict(Role.choices)
        context["roles"] = [labels.get(name, name) for name in self.request.user.role_names]
        return context


def set_language(request: HttpRequest) -> HttpResponse:
    """
    Django's `set_language` (the cookie for this browser), and the choice is kept on the account so
    that what is written to the person outside a request (notifications, e-mails) is in it too.
    """
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    chosen = language in dict(settings.LANGUAGES)
    if request.method == "POST" and user.is_authenticated and chosen and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


@method_decorator(never_cache, name="dispatch")
class ApiTokenView(LoginRequiredMixin, generic.TemplateView):
    """
    The person's own API token: create (or replace) and revoke it. A new key is shown once, on the
    page right after it was made (kept in the session until that page is shown, then dropped).
    """

    template_name = "accounts/api_token.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["token"] = Token.objects.filter(user=self.request.user).only("created").first()
        context["new_key"] = self.request.session.pop(NEW_TOKEN_SESSION_KEY, None)
        context["api_docs_url"] = reverse("api-docs")
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("action") == "revoke":
            if services.api_token_revoke(user=request.user):
                messages.success(request, _("Your API token was revoked: programs using it are refused now."))
        else:
            request.session[NEW_TOKEN_SESSION_KEY] = services.api_token_create(user=request.user)
            messages.success(request, _("A new API token was made; any earlier one no longer works."))
        return HttpResponseRedirect(reverse("api_token"))


class AuditLogFilter(forms.Form):
    """The audit log's filters (GET): what kind of object, who, what was done, between which days."""

    source = forms.ChoiceField(label=_lazy("Object"), required=False)
    user = forms.ModelChoiceField(label=_lazy("User"), queryset=User.objects.none(), required=False)
    action = forms.ChoiceField(label=_lazy("Action"), required=False)
    since = forms.DateField(label=_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _lazy("Everything"))]
        self.fields["source"].choices = everything + [(k, label) for k, (label, _m) in audit_sources().items()]
        self.fields["action"].choices = everything + list(ACTION_LABELS.items())
        self.fields["user"].queryset = User.objects.order_by("last_name", "first_name", "username")
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username
        for field in self.fields.values():
            select = isinstance(field, forms.ChoiceField)
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if select else "form-control form-control-sm"
            )


class AuditLogView(LoginRequiredMixin, PermissionRequiredMixin, generic.TemplateView):
    """
    The district-wide audit log (leaders and administrators): every recorded change and live-meeting
    action, newest first, filterable, 50 a page, at a constant number of queries (common.audit).
    Users tied to one unit are refused: the log covers the whole district.
    """

    template_name = "accounts/audit_log.html"
    permission_required = "accounts.view_audit_log"

    def has_permission(self) -> bool:
        user = self.request.user
        return super().has_permission() and (user.is_superuser or user.unit_id is None)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = AuditLogFilter(self.request.GET or None)
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        user = data.get("user")
        page, entries = audit_page(
            page=self.request.GET.get("page", 1),
            source=data.get("source", ""),
            user_id=user.pk if user else None,
            action=data.get("action", ""),
            since=data.get("since"),
            until=data.get("until"),
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, page=page, entries=entries, query=query.urlencode())
        return context
