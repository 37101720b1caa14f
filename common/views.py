"""
Generic object views, configured per model (NetBox style): list with filters, sorting and paging;
detail with change history; create/edit with inline errors; delete that explains what blocks it;
import with a dry run; export. Every view checks the role permission on the model (403) and cuts
the queryset to the user's units (404 outside them).
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django_filters.views import FilterMixin
from django_tables2 import RequestConfig, Table

from common.exceptions import ApplicationError
from common.history import history_display
from common.imports import EXPORTERS, ImportSpec, run_import
from common.scoping import ensure_in_scope, restrict_related_choices, scope_queryset


def perm(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class ObjectViewMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Role permission on `model` plus scoping to the user's units."""

    model: type[models.Model]
    queryset: models.QuerySet | None = None
    action = "view"
    raise_exception = True  # logged-in users without the role get 403, not a login loop

    def get_permission_required(self) -> tuple[str, ...]:
        return (perm(self.model, self.action),)

    def handle_no_permission(self) -> HttpResponse:
        if not self.request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(self.request.get_full_path())
        raise PermissionDenied

    def get_queryset(self) -> models.QuerySet:
        qs = self.queryset if self.queryset is not None else self.model.objects.all()
        return scope_queryset(qs.all(), self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        context.update(
            verbose_name=meta.verbose_name,
            verbose_name_plural=meta.verbose_name_plural,
            list_url=self.url_name("list"),
            can_add=self.request.user.has_perm(perm(self.model, "add")),
            can_change=self.request.user.has_perm(perm(self.model, "change")),
            can_delete=self.request.user.has_perm(perm(self.model, "delete")),
            url_prefix=self.url_prefix(),
        )
        return context

    def url_prefix(self) -> str:
        return f"{self.model._meta.app_label}:{self.model._meta.model_name}"

    def url_name(self, suffix: str) -> str:
        return f"{self.url_prefix()}_{suffix}"


def filter_choices_for_user(fields: dict[str, Any], user: Any) -> None:
    """
    A list's filters offer only what the user may see (a commune's own sites and rooms, not the
    province's) and refuse the rest as invalid choices. A model that names the columns its label is
    made of (`choice_label_fields`) is read with those alone: a province's 500 sites in every list's
    filter were read whole, for a name each (issue 18).
    """
    restrict_related_choices(fields, user)
    for field in fields.values():
        queryset = getattr(field, "queryset", None)
        columns = getattr(getattr(queryset, "model", None), "choice_label_fields", ())
        if columns:
            field.queryset = queryset.only(*columns)


class ObjectListView(ObjectViewMixin, FilterMixin, generic.ListView):
    """A filterable, sortable, paged table of objects."""

    table_class: type[Table]
    filterset_class: Any = None
    template_name = "common/object_list.html"
    paginate_by = None  # django-tables2 pages
    importable = False

    def get_queryset(self) -> models.QuerySet:
        qs = super().get_queryset()
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            filter_choices_for_user(self.filterset.form.fields, self.request.user)
            if self.filterset.is_bound and self.filterset.is_valid():
                qs = self.filterset.qs
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        table = self.table_class(context["object_list"])
        RequestConfig(self.request, paginate={"per_page": 25}).configure(table)
        context.update(
            table=table,
            filter=getattr(self, "filterset", None),
            importable=self.importable,
            can_import=self.importable and self.request.user.has_perm(perm(self.model, "add")),
        )
        return context


class ObjectDetailView(ObjectViewMixin, generic.DetailView):
    """One object with its fields (template per model) and its change history."""

    def get_template_names(self) -> list[str]:
        meta = self.model._meta
        return [f"{meta.app_label}/{meta.model_name}_detail.html", "common/object_detail.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if hasattr(self.object, "history"):
            context["history"] = history_display(self.object)
        # The Edit and Delete buttons: only for a user allowed to, and only where the object type has
        # such a page (tasks, for one, are changed through their own actions, not a generic form).
        context["edit_url"] = self.action_url("edit") if context["can_change"] else None
        context["delete_url"] = self.action_url("delete") if context["can_delete"] else None
        return context

    def action_url(self, suffix: str) -> str | None:
        try:
            return reverse(self.url_name(suffix), args=[self.object.pk])
        except NoReverseMatch:
            return None


class ScopedModelForm(forms.ModelForm):
    """A model form whose related-object choices are limited to what the user may see."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:
            restrict_related_choices(self.fields, user)
        for field in self.fields.values():
            widget = field.widget
            css = (
                "form-select"
                if isinstance(widget, forms.Select)
                else ("form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control")
            )
            widget.attrs.setdefault("class", css)
            if isinstance(field, forms.DateField):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def save_with_services(self) -> models.Model:
        """Override to save through a service (dated history, extra rules)."""
        return self.save()


class ObjectEditView(ObjectViewMixin, generic.UpdateView):
    """Create (no pk) or edit an object; field errors inline; nothing saved on error."""

    form_class: type[ScopedModelForm]
    template_name = "common/object_edit.html"

    def get_permission_required(self) -> tuple[str, ...]:
        return (perm(self.model, "change" if "pk" in self.kwargs else "add"),)

    def get_object(self, queryset: models.QuerySet | None = None) -> models.Model | None:
        if "pk" not in self.kwargs:
            return None
        return super().get_object(queryset)

    def get_initial(self) -> dict[str, Any]:
        # Links such as "add a room to this site" pass the parent as ?site=<pk>.
        return {k: v for k, v in self.request.GET.items() if k in self.form_class.base_fields}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: ScopedModelForm) -> HttpResponse:
        try:
            ensure_in_scope(self.request.user, form.instance)
            with transaction.atomic():
                self.object = form.save_with_services()
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved %(object)s.") % {"object": self.object})
        return HttpResponseRedirect(self.object.get_absolute_url())


class ObjectDeleteView(ObjectViewMixin, generic.DeleteView):
    """Delete after confirmation; refuse with the reason when other objects still depend on it."""

    action = "delete"
    template_name = "common/object_delete.html"

    def check_deletable(self, obj: models.Model) -> None:
        """Raise ApplicationError with a reason to refuse."""

    def deleted_url(self, obj: models.Model) -> str:
        """Where to go once `obj` is deleted: the list of its kind."""
        return reverse(self.url_name("list"))

    def form_valid(self, form: forms.Form) -> HttpResponse:
        obj = self.get_object()
        try:
            self.check_deletable(obj)
            next_url = self.deleted_url(obj)
            with transaction.atomic():
                obj.delete()
        except ApplicationError as exc:
            messages.error(self.request, exc.message)
            return redirect(obj.get_absolute_url())
        except ProtectedError as exc:
            blockers = ", ".join(str(o) for o in list(exc.protected_objects)[:5])
            messages.error(
                self.request,
                _("%(object)s cannot be deleted: still used by %(blockers)s.") % {"object": obj, "blockers": blockers},
            )
            return redirect(obj.get_absolute_url())
        messages.success(self.request, _("Deleted %(object)s.") % {"object": obj})
        return redirect(next_url)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))


class ObjectImportView(ObjectViewMixin, generic.FormView):
    """
    Upload → dry run report (what would be created or changed, every bad row with its line) →
    apply. The file waits in the cache between the two steps under a random token.
    """

    spec_class: type[ImportSpec]
    action = "add"
    form_class = ImportForm
    template_name = "common/object_import.html"

    def get_permission_required(self) -> tuple[str, ...]:
        return (perm(self.model, "add"), perm(self.model, "change"))

    def form_valid(self, form: ImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        content = upload.read()
        report = run_import(self.spec_class(self.request.user), content, upload.name, dry_run=True)
        token = ""
        if report.ok:
            token = secrets.token_urlsafe(16)
            cache.set(self._cache_key(token), (upload.name, content), timeout=1800)
        return self.render_to_response(self.get_context_data(form=form, report=report, token=token))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = request.POST.get("token")
        if not token:
            return super().post(request, *args, **kwargs)
        stored = cache.get(self._cache_key(token))
        if stored is None:
            messages.error(request, _("The checked file has expired; upload it again."))
            return redirect(request.path)
        name, content = stored
        report = run_import(self.spec_class(request.user), content, name, dry_run=False)
        cache.delete(self._cache_key(token))
        if report.written:
            messages.success(
                request,
                _("Imported: %(c)d created, %(u)d updated, %(n)d unchanged.")
                % {"c": report.created, "u": report.updated, "n": report.unchanged},
            )
            return redirect(reverse(self.url_name("list")))
        return self.render_to_response(self.get_context_data(form=ImportForm(), report=report, token=""))

    def _cache_key(self, token: str) -> str:
        return f"import:{self.request.user.pk}:{self.url_prefix()}:{token}"


class ObjectExportView(ObjectViewMixin, generic.View):
    """Download every visible object as CSV or XLSX (`?format=xlsx`)."""

    spec_class: type[ImportSpec]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("format", "csv")
        if fmt not in EXPORTERS:
            fmt = "csv"
        exporter, content_type = EXPORTERS[fmt]
        body = exporter(self.spec_class(request.user))
        response = HttpResponse(body, content_type=content_type)
        filename = slugify(str(self.model._meta.verbose_name_plural)) or self.model._meta.model_name
        response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
        return response


class HomeView(LoginRequiredMixin, generic.TemplateView):
    """
    The landing page after login: counts of what the user may see, then the dashboard panels of the
    user's roles. Panels come from every app through `dashboards.registry.register_panel`.
    """

    template_name = "home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from accounts.roles import Role
        from common.datacache import cached_by_data
        from common.models import counts as model_counts
        from dashboards.registry import panels_for, user_roles
        from sites.models import BridgePoint, Equipment, Site

        context = super().get_context_data(**kwargs)
        user = self.request.user
        shown = [
            (model, url_name)
            for model, url_name in (
                (Site, "sites:site_list"),
                (BridgePoint, "sites:bridgepoint_list"),
                (Equipment, "sites:equipment_list"),
            )
            if user.has_perm(perm(model, "view"))
        ]
        # Counts over a province's 50,000 equipment rows: kept per user until those tables change.
        numbers = cached_by_data(
            f"home.counts:{user.pk}:{','.join(url for _model, url in shown)}",
            depends_on=["sites.Site", "sites.BridgePoint", "sites.Equipment"],
            seconds=300,
            build=lambda: model_counts({url: scope_queryset(model.objects.all(), user) for model, url in shown}),
        )
        counts = [
            {"label": model._meta.verbose_name_plural, "url": reverse(url), "count": numbers[url]}
            for model, url in shown
        ]
        roles = user_roles(user)
        context.update(
            counts=counts,
            role_labels=[label for value, label in Role.choices if value in roles],
            panels=panels_for(self.request),
        )
        return context


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (CSRF_FAILURE_VIEW): the portal's page, not Django's English one.
    The reason is logged by the middleware (django.security.csrf)."""
    return render(request, "403_csrf.html", status=403)


def healthz(request: HttpRequest) -> HttpResponse:
    """JSON health of database, Redis, workers and Janus; details only for staff."""
    from django.http import JsonResponse

    from common.health import portal_health

    report = portal_health()
    if not (request.user.is_authenticated and (request.user.is_staff or request.user.has_role("administrator"))):
        report = {"ok": report["ok"], "checks": {k: {"ok": v["ok"]} for k, v in report["checks"].items()}}
    return JsonResponse(report, status=200 if report["ok"] else 503)


class SearchView(LoginRequiredMixin, generic.TemplateView):
    """Search across the object types the user may see, by name or code."""

    template_name = "search.html"
    limit = 20

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.db.models import Q

        from sites.models import AdministrativeUnit, BridgePoint, Equipment, Room, Site

        context = super().get_context_data(**kwargs)
        term = self.request.GET.get("q", "").strip()
        groups = []
        if term:
            searches = [
                (AdministrativeUnit, Q(name__icontains=term) | Q(code__icontains=term)),
                (Site, Q(name__icontains=term) | Q(code__icontains=term) | Q(address__icontains=term)),
                (Room, Q(name__icontains=term) | Q(code__icontains=term)),
                (BridgePoint, Q(janus_display__icontains=term) | Q(code__icontains=term)),
                (Equipment, Q(code__icontains=term) | Q(serial__icontains=term) | Q(model__icontains=term)),
            ]
            for model, query in searches:
                if not self.request.user.has_perm(perm(model, "view")):
                    continue
                found = list(scope_queryset(model.objects.filter(query), self.request.user)[: self.limit])
                if found:
                    groups.append({"label": model._meta.verbose_name_plural, "objects": found})
        context.update(term=term, groups=groups)
        return context
