"""
Writing notifications. Other apps call `notify(...)` from their services, inside their transaction:
the in-app rows are written with it (and vanish on rollback), the emails leave only after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from accounts.models import User
from notifications.choices import NotificationKind
from notifications.models import Notification, NotificationPreference

logger = logging.getLogger("portal.notifications")

__all__ = [
    "Text",
    "absolute_url",
    "notification_mark_all_read",
    "notification_mark_done",
    "notification_mark_read",
    "notification_preferences_set",
    "notify",
]


class Text:
    """
    A text written in each recipient's language, not in whatever language is active where it is built
    (a Celery task, the demo loader, a request in English for Vietnamese readers):

        Text(gettext_lazy("Minutes of %(meeting)s returned"), meeting=meeting.title)
        Text(ngettext_lazy("%(n)d booking waits", "%(n)d bookings wait", "n"), n=3)

    `notify` renders it once per language under `translation.override`. Parameters may be lazy too.
    """

    __slots__ = ("message", "params")

    def __init__(self, message: Any, /, **params: Any) -> None:
        self.message, self.params = message, params

    def __str__(self) -> str:
        if not self.params:
            return str(self.message)
        return self.message % {k: str(v) if isinstance(v, Promise | Text) else v for k, v in self.params.items()}


Message = str | Promise | Text | Callable[[], str]


def _render(message: Message) -> str:
    return message() if callable(message) else str(message)


def absolute_url(path: str) -> str:
    """A path in the portal as a link that works from an e-mail (settings.PORTAL_BASE_URL + path)."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@dataclass(frozen=True, slots=True)
class _Email:
    to: str
    subject: str
    body: str


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    kind: NotificationKind | str,
    title: Message,
    body: Message = "",
    url: str = "",
) -> list[Notification]:
    """
    Tell each recipient about something to act on, as each of them chose for this kind: an in-app
    notification (written now, one INSERT for all) and/or an email (sent after commit, only to users
    with an address). Inactive users and duplicates are skipped. Returns the in-app rows written.

    `url` is a path in the portal ("/meetings/12/"), shown as a link and followed when read; e-mails
    carry it as an absolute link (`PORTAL_BASE_URL`).

    Title and body are written in each recipient's language (`User.preferred_language`: the language
    they last chose, else the portal's), so pass a `Text` (or lazy text, or a callable) rather than a
    string translated where the notice is built.
    """
    kind = NotificationKind(kind)
    if url and not (url.startswith("/") and not url.startswith("//")):
        # A programming error, not a user's: links in notifications never leave the portal.
        raise ValueError(f"notification url must be a path in the portal, not {url!r}")
    people = {user.pk: user for user in recipients if user.is_active}
    if not people:
        return []
    choices = {
        p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=people.keys(), kind=kind)
    }  # no row = the defaults (both on)
    in_app: list[Notification] = []
    emails: list[_Email] = []
    written: dict[str, tuple[str, str, str]] = {}  # language → (title, body, e-mail body)
    for pk, user in people.items():
        language = user.preferred_language
        if language not in written:
            with translation.override(language):
                text_title, text_body = _render(title), _render(body)
                written[language] = (text_title, text_body, _email_body(body=text_body, url=url))
        text_title, text_body, email_body = written[language]
        preference = choices.get(pk)
        if preference is None or preference.in_app:
            in_app.append(Notification(recipient=user, kind=kind, title=text_title[:200], body=text_body, url=url))
        if user.email and (preference is None or preference.email):
            emails.append(_Email(to=user.email, subject=" ".join(text_title.split()), body=email_body))
    created = Notification.objects.bulk_create(in_app)
    if emails:
        transaction.on_commit(lambda: _send_emails(emails))
    return created


def _email_body(*, body: str, url: str) -> str:
    """The body, then the absolute link to act on it (in the active language: the recipient's)."""
    link = gettext("Open in the portal: %(url)s") % {"url": absolute_url(url)} if url else ""
    return "\n\n".join(part for part in (body, link) if part)


def _send_emails(emails: list[_Email]) -> None:
    """One SMTP connection for the batch; a mail failure is logged and never undoes the action."""
    messages = [EmailMessage(subject=e.subject, body=e.body, to=[e.to]) for e in emails]
    try:
        get_connection().send_messages(messages)
    except Exception:  # SMTP down or refusing: the in-app notification already stands
        logger.exception("could not send %d notification email(s)", len(messages))


def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read (idempotent: the first reading time is kept)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of `user` read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_mark_done(*, kind: NotificationKind | str, url: str) -> int:
    """
    What the notifications at `url` asked for was done, by whoever (minutes approved, a booking
    decided, a delegation confirmed): every unread one of this kind is marked read for all its
    recipients, so nobody is left with a request already answered. Returns how many changed.
    """
    return Notification.objects.filter(kind=NotificationKind(kind), url=url, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_preferences_set(*, user: User, choices: dict[str, tuple[bool, bool]]) -> None:
    """Store `{kind: (in_app, email)}` for `user`; kinds not named keep their current choice."""
    for kind, (in_app, email) in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=NotificationKind(kind), defaults={"in_app": in_app, "email": email}
        )
