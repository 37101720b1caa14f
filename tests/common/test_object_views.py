"""The generic object views (common/views.py)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_detail_page_offers_edit_and_delete_where_they_exist(client, admin_user, demo):
    """Each button only where the object type has that page (the task page shows neither: tests/meetings)."""
    from sites.models import Site

    site = Site.objects.first()
    client.force_login(admin_user)
    response = client.get(site.get_absolute_url())
    assert response.context["edit_url"] == reverse("sites:site_edit", args=[site.pk])
    assert response.context["delete_url"] == reverse("sites:site_delete", args=[site.pk])


def test_a_lists_filters_offer_only_what_the_user_sees(client, make_user, demo):
    """
    A commune officer's filters list their commune's sites and rooms, not the district's; another
    commune's site in the query string is an invalid choice, not an empty list. The choices are read
    with the columns of their labels alone (`choice_label_fields`).
    """
    from accounts.roles import Role
    from sites.models import AdministrativeUnit, Room, Site

    tam_hai = AdministrativeUnit.objects.get(code="tam-hai")
    officer = make_user(Role.COMMUNE_OFFICER, unit=tam_hai)
    own, other = Site.objects.filter(unit=tam_hai).first(), Site.objects.exclude(unit=tam_hai).first()
    assert own is not None and other is not None
    client.force_login(officer)
    response = client.get(reverse("sites:sitecontact_list"))
    form = response.context["filter"].form
    assert set(form.fields["site"].queryset) == set(Site.objects.filter(unit=tam_hai))
    assert form.fields["site"].queryset.query.deferred_loading == ({"name"}, False)
    html = response.content.decode()
    assert f">{own.name}</option>" in html and f">{other.name}</option>" not in html
    rooms = client.get(reverse("sites:equipment_list")).context["filter"].form.fields["room"].queryset
    assert set(rooms) == set(Room.objects.filter(site__unit=tam_hai))

    refused = client.get(reverse("sites:sitecontact_list"), {"site": other.pk})
    assert refused.status_code == 200
    assert "site" in refused.context["filter"].form.errors

    staff = make_user(Role.OFFICE_STAFF)
    client.force_login(staff)
    bookings = client.get(reverse("meetings:booking_list")).context["filter"].form
    # The bookings filter offers the sites that have a bookable room.
    assert set(bookings.fields["site"].queryset) == set(Site.objects.filter(rooms__is_bookable=True).distinct())
