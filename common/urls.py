"""Helpers to build the standard URL set of an object type."""

from django.urls import URLPattern, path
from django.views import View


def object_urls(
    prefix: str,
    name: str,
    *,
    list_view: type[View] | None = None,
    detail: type[View] | None = None,
    edit: type[View] | None = None,
    delete: type[View] | None = None,
    import_view: type[View] | None = None,
    export: type[View] | None = None,
) -> list[URLPattern]:
    """`<prefix>/`, `<prefix>/add/`, `<prefix>/<pk>/`, `…/edit/`, `…/delete/`, `…/import/`, `…/export/`."""
    patterns = []
    if list_view:
        patterns.append(path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"))
    if edit:
        patterns.append(path(f"{prefix}/add/", edit.as_view(), name=f"{name}_add"))
        patterns.append(path(f"{prefix}/<int:pk>/edit/", edit.as_view(), name=f"{name}_edit"))
    if import_view:
        patterns.append(path(f"{prefix}/import/", import_view.as_view(), name=f"{name}_import"))
    if export:
        patterns.append(path(f"{prefix}/export/", export.as_view(), name=f"{name}_export"))
    if detail:
        patterns.append(path(f"{prefix}/<int:pk>/", detail.as_view(), name=f"{name}_detail"))
    if delete:
        patterns.append(path(f"{prefix}/<int:pk>/delete/", delete.as_view(), name=f"{name}_delete"))
    return patterns
