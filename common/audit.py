"""
The district's audit log: who did what, when, across every object with a change history
(django-simple-history's `Historical…` tables) and every action in live meetings (`LiveAction`),
newest first, filtered and paginated in the database.

The page costs the same number of queries whatever the log holds: one UNION query for the page's rows
and one COUNT; then, for each kind of object on the page, one query for its records with their
previous version, one for those previous versions, one for the objects as they are now, and one per
related model or many-to-many field that a change names (`common.history`). Values are shown as on
the objects' own history cards: verbose field names, choice labels, local times, related objects.

`common` imports no app: the models are found through the app registry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.history import HISTORY_TYPES, FieldChange, _m2m_members, _related_objects, _show

LIVE_SOURCE = "live.liveaction"
ACTIONS = {"created": "+", "changed": "~", "deleted": "-", "live": "live"}
ACTION_LABELS = {
    "created": _("Created"),
    "changed": _("Changed"),
    "deleted": _("Deleted"),
    "live": _("Live meeting action"),
}
PER_PAGE = 50


@dataclass
class AuditEntry:
    at: datetime
    user: str
    action: str  # created / changed / deleted / live
    action_label: str
    kind: str  # the object's kind ("Site"), or "Live meeting"
    text: str  # the object as it is called now (or was, when deleted)
    url: str = ""
    changes: list[FieldChange] = field(default_factory=list)


def audit_sources() -> dict[str, tuple[Any, type[models.Model]]]:
    """{key: (label, model)} for each history table (key: the tracked model's "app.model") and LiveAction."""
    from simple_history.models import HistoricalChanges

    found: dict[str, tuple[Any, type[models.Model]]] = {}
    for model in apps.get_models():
        tracked = getattr(model, "instance_type", None)
        # The tracked models' own tables (not the history of their many-to-many rows).
        if issubclass(model, HistoricalChanges) and getattr(tracked._meta, "simple_history_manager_attribute", None):
            found[tracked._meta.label_lower] = (tracked._meta.verbose_name, model)
    if apps.is_installed("live"):
        live = apps.get_model("live", "LiveAction")
        found[LIVE_SOURCE] = (_("Live meeting"), live)
    return dict(sorted(found.items(), key=lambda item: str(item[1][0]).lower()))


def _rows(
    model: type[models.Model], key: str, *, user_id: int | None, action: str, since: date | None, until: date | None
):
    """One source's rows as (source, id, when, user id, type), filtered."""
    tz = timezone.get_current_timezone()
    if key == LIVE_SOURCE:
        if action and action != "live":
            return None
        qs, at, user, kind, pk = model.objects.all(), "at", "user_id", F("action"), "id"
    else:
        if action == "live":
            return None
        qs, at, user, kind, pk = model.objects.all(), "history_date", "history_user_id", F("history_type"), "history_id"
        if action:
            qs = qs.filter(history_type=ACTIONS[action])
    if user_id:
        qs = qs.filter(**{user: user_id})
    if since:
        qs = qs.filter(**{f"{at}__gte": timezone.make_aware(datetime.combine(since, time.min), tz)})
    if until:
        qs = qs.filter(**{f"{at}__lt": timezone.make_aware(datetime.combine(until, time.max), tz)})
    return (
        qs.order_by()
        .annotate(
            a_src=Value(key, output_field=CharField()),
            a_id=F(pk),
            a_at=F(at),
            a_user=F(user),
            a_type=models.functions.Cast(kind, output_field=CharField()),
        )
        .values_list("a_src", "a_id", "a_at", "a_user", "a_type")
    )


def audit_page(
    *,
    page: int | str = 1,
    source: str = "",
    user_id: int | None = None,
    action: str = "",
    since: date | None = None,
    until: date | None = None,
    per_page: int = PER_PAGE,
) -> tuple[Page, list[AuditEntry]]:
    """One page of the log, newest first, and its entries ready to show."""
    sources = audit_sources()
    chosen = {source: sources[source]} if source in sources else sources
    parts = [
        q
        for key, (_label, model) in chosen.items()
        if (q := _rows(model, key, user_id=user_id, action=action, since=since, until=until)) is not None
    ]
    if not parts:
        return Paginator([], per_page).get_page(1), []
    union = (
        parts[0].union(*parts[1:], all=True).order_by("-a_at", "-a_id")
        if len(parts) > 1
        else parts[0].order_by("-a_at", "-a_id")
    )
    shown = Paginator(union, per_page).get_page(page)
    rows = list(shown.object_list)
    by_source: dict[str, list[int]] = defaultdict(list)
    for key, pk, *_rest in rows:
        by_source[key].append(pk)
    built: dict[tuple[str, int], AuditEntry] = {}
    for key, ids in by_source.items():
        label, model = sources[key]
        built.update(_live_entries(model, ids) if key == LIVE_SOURCE else _history_entries(key, label, model, ids))
    return shown, [built[(key, pk)] for key, pk, *_rest in rows if (key, pk) in built]


def _user_name(user: Any) -> str:
    if user is None:
        return gettext("the portal")
    return user.get_full_name() or user.username


def _history_entries(key: str, label: Any, history_model: Any, ids: list[int]) -> dict[tuple[str, int], AuditEntry]:
    tracked = history_model.instance_type
    pk_name = tracked._meta.pk.attname
    previous = Subquery(
        history_model.objects.filter(**{pk_name: OuterRef(pk_name)}, history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    records = list(
        history_model.objects.filter(history_id__in=ids).select_related("history_user").annotate(prev_id=previous)
    )
    prevs = history_model.objects.in_bulk([r.prev_id for r in records if r.prev_id])
    m2m_fields = list(getattr(history_model, "_history_m2m_fields", []) or [])
    m2m_names = {f.name for f in m2m_fields}
    fields = [
        f
        for f in history_model.tracked_fields
        if f.editable and not f.primary_key and f.name not in m2m_names and not getattr(f, "secret", False)
    ]
    members = _m2m_members(history_model, m2m_fields, [*ids, *prevs])
    raw = []
    for record in records:
        before = prevs.get(record.prev_id) if record.prev_id else None
        changes = []
        if before is not None:
            for f in fields:
                old, new = getattr(before, f.attname), getattr(record, f.attname)
                if old != new:
                    changes.append((f, old, new))
            for f in m2m_fields:
                old, new = members[f.name][before.history_id], members[f.name][record.history_id]
                if old != new:
                    changes.append((f, sorted(old), sorted(new)))
        changes.sort(key=lambda change: change[0].name)
        raw.append(changes)
    related = _related_objects(raw)
    joins = [f.name for f in tracked._meta.concrete_fields if f.many_to_one or f.one_to_one]
    now = tracked._base_manager.select_related(*joins).in_bulk([getattr(r, pk_name) for r in records])
    entries = {}
    for record, changes in zip(records, raw, strict=True):
        current = now.get(getattr(record, pk_name))
        if current is not None:
            text = str(current)
            url = current.get_absolute_url() if hasattr(current, "get_absolute_url") else ""
        else:
            text = next(
                (str(getattr(record, n)) for n in ("name", "title", "code", "username") if getattr(record, n, "")), ""
            )
            text = text or gettext("#%(pk)s (deleted)") % {"pk": getattr(record, pk_name)}
            url = ""
        action = HISTORY_TYPES[record.history_type]
        entries[(key, record.history_id)] = AuditEntry(
            at=record.history_date,
            user=_user_name(record.history_user),
            action=action,
            action_label=str(ACTION_LABELS[action]),
            kind=str(label),
            text=text,
            url=url,
            changes=[
                FieldChange(
                    name=f.name, label=str(f.verbose_name), old=_show(f, old, related), new=_show(f, new, related)
                )
                for f, old, new in changes
            ],
        )
    return entries


def _live_entries(model: Any, ids: list[int]) -> dict[tuple[str, int], AuditEntry]:
    entries = {}
    for row in model.objects.filter(pk__in=ids).select_related("user", "meeting"):
        target = f" · {row.target}" if row.target else ""
        entries[(LIVE_SOURCE, row.pk)] = AuditEntry(
            at=row.at,
            user=_user_name(row.user),
            action="live",
            action_label=row.get_action_display(),
            kind=str(_("Live meeting")),
            text=f"{row.meeting}{target}",
            url=row.meeting.get_absolute_url() if hasattr(row.meeting, "get_absolute_url") else "",
        )
    return entries
