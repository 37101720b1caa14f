"""The home panels that the data of `sites` and the portal's health allow today."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from dashboards import selectors
from dashboards.registry import first_rows, register_panel

logger = logging.getLogger("portal.dashboards")


@register_panel(
    key="sites.status",
    title=_("Sites needing attention"),
    template="dashboards/panels/site_status.html",
    roles=[Role.LEADER, Role.OFFICE_STAFF, Role.HOST, Role.COMMUNE_OFFICER, Role.ADMINISTRATOR],
    permission="sites.view_site",
    order=20,
)
def site_status(request: HttpRequest) -> dict[str, Any]:
    return {"summary": selectors.site_status_summary(user=request.user)}


@register_panel(
    key="sites.readiness",
    title=_("Bridge point readiness"),
    template="dashboards/panels/readiness.html",
    roles=[Role.TECHNICIAN, Role.HOST, Role.OFFICE_STAFF, Role.COMMUNE_OFFICER],
    permission="sites.view_bridgepoint",
    order=30,
)
def readiness(request: HttpRequest) -> dict[str, Any]:
    return {"readiness": selectors.bridge_point_readiness(user=request.user)}


@register_panel(
    key="sites.faulty_equipment",
    title=_("Faulty equipment"),
    template="dashboards/panels/faulty_equipment.html",
    roles=[Role.TECHNICIAN, Role.COMMUNE_OFFICER],
    permission="sites.view_equipment",
    order=40,
)
def faulty_equipment(request: HttpRequest, limit: int = 10) -> dict[str, Any]:
    items, more = first_rows(selectors.equipment_faulty(user=request.user), limit)
    return {"items": items, "more": more}


@register_panel(
    key="sites.warranties",
    title=_("Warranties ending within 90 days"),
    template="dashboards/panels/warranties.html",
    roles=[Role.TECHNICIAN, Role.FINANCE],
    permission="sites.view_equipment",
    order=50,
)
def warranties(request: HttpRequest, limit: int = 10) -> dict[str, Any]:
    items, more = first_rows(selectors.warranties_expiring(user=request.user), limit)
    return {"items": items, "more": more, "days": selectors.WARRANTY_WARNING_DAYS}


@register_panel(
    key="sites.equipment_value",
    title=_("Equipment value"),
    template="dashboards/panels/equipment_value.html",
    roles=[Role.FINANCE, Role.LEADER],
    permission="sites.view_equipment",
    order=60,
    # A sum over the province's 50,000 equipment rows.
    cache_seconds=300,
    depends_on=["sites.Equipment", "sites.Site"],
)
def equipment_value(request: HttpRequest) -> dict[str, Any]:
    return {"value": selectors.equipment_value(user=request.user)}


@register_panel(
    key="common.health",
    title=_("Health of the portal"),
    template="dashboards/panels/health.html",
    roles=[Role.ADMINISTRATOR],
    order=10,
)
def health(request: HttpRequest) -> dict[str, Any]:
    labels = {
        "database": _("Database"),
        "redis": _("Redis"),
        "workers": _("Background workers"),
        "janus": _("Janus media server"),
    }
    from common.health import portal_health

    report = portal_health()  # the same report as /healthz, checked now (a few milliseconds)
    checks = [{"name": name, "label": labels.get(name, name), **check} for name, check in report["checks"].items()]
    return {"ok": report["ok"], "checks": checks}


@register_panel(
    key="common.jobs",
    title=_("Recent background jobs"),
    template="dashboards/panels/jobs.html",
    roles=[Role.ADMINISTRATOR],
    order=15,
)
def jobs(request: HttpRequest) -> dict[str, Any]:
    return {"jobs": selectors.recent_jobs()}
