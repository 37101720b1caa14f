"""
Messages that Django and django-tables2 show on our pages but whose Vietnamese catalogues lack them
(django-tables2 ships no Vietnamese; Django's Vietnamese still has the old `%d minute` timesince
messages). Listed here so that `makemessages` keeps them in `locale/vi/LC_MESSAGES/django.po`, whose
translations win over every other catalogue. Nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

THIRD_PARTY_MESSAGES = [
    # django_tables2/bootstrap5.html: the pager.
    gettext_noop("previous"),
    gettext_noop("next"),
    # django.utils.timesince (the `timesince` and `timeuntil` filters).
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
]
