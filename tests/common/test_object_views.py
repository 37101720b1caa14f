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
