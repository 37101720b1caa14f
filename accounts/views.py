from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.views import generic
from django.views.i18n import set_language as django_set_language
from rest_framework.authtoken.models import Token

from accounts.roles import Role


class ProfileView(LoginRequiredMixin, generic.TemplateView):
    """The user's roles, unit and API token."""

    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["token_exists"] = Token.objects.filter(user=self.request.user).exists()
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
