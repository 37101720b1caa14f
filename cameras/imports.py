"""
Import/export specs for cameras and recorders (see common.imports). Passwords are neither exported
nor imported: they are set one by one by a technician, so a spreadsheet never carries them.
"""

from django import forms
from django.db.models import QuerySet

from cameras import services
from cameras.forms import CAMERA_FIELDS, RECORDER_FIELDS, CameraImportForm, RecorderImportForm
from cameras.models import Camera, Recorder
from common.imports import ImportSpec


class RecorderImportSpec(ImportSpec):
    model = Recorder
    form_class = RecorderImportForm
    columns = RECORDER_FIELDS
    required_columns = ("code", "name", "site")

    def export_queryset(self) -> QuerySet:
        return super().export_queryset().select_related("site").order_by("pk")

    def save(self, form: forms.ModelForm) -> Recorder:
        return services.recorder_save(recorder=form.instance)


class CameraImportSpec(ImportSpec):
    model = Camera
    form_class = CameraImportForm
    columns = CAMERA_FIELDS
    required_columns = ("code", "site", "camera_type")

    def export_queryset(self) -> QuerySet:
        return super().export_queryset().select_related("site", "recorder").order_by("pk")

    def save(self, form: forms.ModelForm) -> Camera:
        # password=None: an import never touches the stored password.
        return services.camera_save(camera=form.instance, changed_by=self.user)
