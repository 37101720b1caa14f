"""Issue 14: a delivered line's page listed its records as a raw list; a generated line says how its quantity came."""

import pytest
from django.urls import reverse

from investments import services
from investments.choices import LineSource
from investments.models import PlanLine

pytestmark = pytest.mark.django_db


def test_delivered_line_lists_its_records_readably(client, inv_demo, finance, settings):
    settings.LANGUAGE_CODE = "vi"
    line = PlanLine.objects.filter(plan=inv_demo, item__equipment_kind="microphone").first()
    records = services.line_deliver(line=line, user=finance)
    client.force_login(finance)
    html = client.get(reverse("investments:planline_detail", args=[line.pk])).content.decode()
    assert "[{" not in html and "&#x27;type&#x27;" not in html
    assert "type: equipment" not in html and "label:" not in html
    for record in records:
        url = reverse("sites:equipment_detail", args=[record["id"]])
        assert f'<a href="{url}">{record["label"]}</a>' in html
    assert "Thiết bị" in html  # each record says what it is, in Vietnamese


def test_generated_line_shows_how_its_quantity_was_worked_out(client, inv_demo, finance):
    line = PlanLine.objects.filter(plan=inv_demo, source=LineSource.GAP).exclude(basis={}).first()
    client.force_login(finance)
    html = client.get(reverse("investments:planline_detail", args=[line.pk])).content.decode()
    assert 'id="line-basis"' in html and "Standard kit: " in html
    assert "{&#x27;required&#x27;" not in html
