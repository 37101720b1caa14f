"""Issue 14: the estimate PDF was made again on every download (about 3 s); it is kept until the plan changes."""

import time

import pytest
from django.urls import reverse

from investments import exports, services
from investments.models import PlanLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """Counts the WeasyPrint layouts (the real ones) made while the test runs."""
    made = []
    real = exports._pdf_render

    def counting(html):
        made.append(html)
        return real(html)

    monkeypatch.setattr(exports, "_pdf_render", counting)
    return made


def test_estimate_pdf_is_made_once_until_the_plan_changes(client, inv_demo, finance, renders):
    from django.core.cache import cache

    cache.clear()
    client.force_login(finance)
    url = reverse("investments:investmentplan_export", args=[inv_demo.pk, "estimate", "pdf"])
    started = time.perf_counter()
    first = client.get(url)
    made_in = time.perf_counter() - started
    started = time.perf_counter()
    second = client.get(url)
    cached_in = time.perf_counter() - started
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf" and first.content.startswith(b"%PDF")
    assert second.content == first.content and len(renders) == 1
    assert cached_in < made_in  # printed with -s: the figures for the report
    print(f"estimate PDF: made in {made_in:.2f} s, served from the cache in {cached_in:.3f} s")

    # A change to a line (its quantity and amount show in the PDF) makes it again, once.
    line = PlanLine.objects.filter(plan=inv_demo).first()
    inv_demo.refresh_from_db()
    services.line_update(line=line, expected_version=inv_demo.version, user=finance, quantity=line.quantity + 1)
    third = client.get(url)
    assert third.content != first.content and len(renders) == 2
    assert client.get(url).content == third.content and len(renders) == 2

    # The roadmap is its own document.
    client.get(reverse("investments:investmentplan_export", args=[inv_demo.pk, "roadmap", "pdf"]))
    assert len(renders) == 3
