"""Forms for cameras and recorders, and the one-row forms of CSV/XLSX import."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cameras import services
from cameras.models import Camera, Recorder
from common.imports import CodeChoiceField
from common.views import ScopedModelForm
from sites.models import Site

CAMERA_FIELDS = (
    "code",
    "name",
    "site",
    "building",
    "floor",
    "placement",
    "camera_type",
    "model",
    "serial",
    "ip_address",
    "stream_url",
    "snapshot_url",
    "username",
    "recorder",
    "recorder_channel",
    "install_date",
    "warranty_end",
    "cost_vnd",
    "status",
    "maintenance",
)
RECORDER_FIELDS = (
    "code",
    "name",
    "site",
    "kind",
    "operator",
    "model",
    "serial",
    "ip_address",
    "channels",
    "storage_days",
)


class CameraForm(ScopedModelForm):
    """
    The camera's inventory. The password box is always empty (the stored password is never sent to
    the browser); leaving it empty keeps the password. Users without the technician's right do not
    get the box at all.
    """

    new_password = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )
    clear_password = forms.BooleanField(label=_("Remove the stored password"), required=False)

    class Meta:
        model = Camera
        fields = (*CAMERA_FIELDS, "notes")

    field_order = [*CAMERA_FIELDS[: CAMERA_FIELDS.index("username") + 1], "new_password", "clear_password"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.user is None or not self.user.has_perm(services.PASSWORD_PERMISSION):
            del self.fields["new_password"]
            del self.fields["clear_password"]

    def save_with_services(self) -> Camera:
        password = None
        if self.cleaned_data.get("clear_password"):
            password = ""
        elif self.cleaned_data.get("new_password"):
            password = self.cleaned_data["new_password"]
        return services.camera_save(camera=self.instance, password=password, changed_by=self.user)


class RecorderForm(ScopedModelForm):
    class Meta:
        model = Recorder
        fields = (*RECORDER_FIELDS, "notes")

    def save_with_services(self) -> Recorder:
        return services.recorder_save(recorder=self.instance)


class CameraImportForm(forms.ModelForm):
    site = CodeChoiceField(Site.objects.all())
    recorder = CodeChoiceField(Recorder.objects.all(), required=False)

    class Meta:
        model = Camera
        fields = CAMERA_FIELDS


class RecorderImportForm(forms.ModelForm):
    site = CodeChoiceField(Site.objects.all())

    class Meta:
        model = Recorder
        fields = RECORDER_FIELDS
