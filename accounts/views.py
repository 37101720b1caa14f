from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views import generic
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
