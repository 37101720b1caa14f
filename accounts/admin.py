from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "email", "unit", "is_active")
    list_filter = ("groups", "unit", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Portal"), {"fields": ("unit", "phone", "position")}))
