"""
Issue 14, investments: approval is a decision (number, date, comment, warnings acknowledged) taken on
a confirmation page; leaders are notified of a plan submitted to them, and the notice is answered
when one decides; allocations on an approved plan open a revision that keeps the approved figures.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from common.exceptions import ApplicationError
from investments import services
from investments.choices import FundingSource, PlanStatus
from investments.models import Allocation, PlanRevision
from investments.selectors import plan_funding, revision_compare
from notifications.choices import NotificationKind
from notifications.models import Notification

pytestmark = pytest.mark.django_db

DECISION = {"decision_number": "245/QĐ-UBND", "decision_date": date(2026, 2, 10)}


def _over_allocate(plan) -> Allocation:
    """Allocate more than phase 3 plans: the plan then shows an over-allocation warning."""
    phase = plan.phases.get(number=3)
    planned = sum(phase.lines.values_list("amount_vnd", flat=True))
    plan.refresh_from_db()
    allocation, _warnings = services.allocation_save(
        allocation=Allocation(plan=plan, phase=phase, year=2028, source=FundingSource.PROVINCE, amount_vnd=planned),
        expected_version=plan.version,
    )
    assert plan_funding(plan=plan).warnings
    return allocation


#
# Approval: a decision, a comment, the warnings acknowledged
#


def test_approval_needs_the_decision_number_and_date(inv_demo, leader):
    inv_demo.refresh_from_db()
    for missing in ({"decision_number": " "}, {"decision_date": None}):
        with pytest.raises(ApplicationError) as exc:
            services.plan_approve(
                plan=inv_demo, expected_version=inv_demo.version, user=leader, **{**DECISION, **missing}
            )
        assert set(exc.value.extra["fields"]) == set(missing)
    with pytest.raises(ApplicationError):
        services.plan_approve(
            plan=inv_demo,
            expected_version=inv_demo.version,
            user=leader,
            **{**DECISION, "decision_date": timezone.localdate() + timedelta(days=1)},
        )
    assert not PlanRevision.objects.filter(plan=inv_demo).exists()
    inv_demo.refresh_from_db()
    assert inv_demo.status == PlanStatus.DRAFT

    revision = services.plan_approve(
        plan=inv_demo, expected_version=inv_demo.version, user=leader, comment="Đồng ý, ưu tiên xã đảo.", **DECISION
    )
    revision.refresh_from_db()
    assert (revision.decision_number, revision.decision_date) == ("245/QĐ-UBND", date(2026, 2, 10))
    assert revision.approval_comment == "Đồng ý, ưu tiên xã đảo." and revision.overrun_warnings == []


def test_approval_with_overrun_warning_needs_an_explicit_acknowledgement(inv_demo, leader):
    _over_allocate(inv_demo)
    inv_demo.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        services.plan_approve(plan=inv_demo, expected_version=inv_demo.version, user=leader, **DECISION)
    assert "acknowledge_overrun" in exc.value.extra["fields"]
    revision = services.plan_approve(
        plan=inv_demo, expected_version=inv_demo.version, user=leader, overrun_acknowledged=True, **DECISION
    )
    messages = [w.message for w in plan_funding(plan=inv_demo).warnings]
    assert revision.overrun_warnings == messages and messages


def test_approve_page_confirms_before_approving(client, inv_demo, leader):
    """The plan page links to a confirmation page; a bare POST (the old one-click form) approves nothing."""
    client.force_login(leader)
    plan_page = client.get(inv_demo.get_absolute_url()).content.decode()
    url = reverse("investments:investmentplan_approve", args=[inv_demo.pk])
    assert f'href="{url}"' in plan_page and f'action="{url}"' not in plan_page
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="decision_number"' in html and 'name="decision_date"' in html and 'name="comment"' in html
    assert 'name="acknowledge_overrun"' not in html  # no warning on screen, nothing to acknowledge

    response = client.post(url, {"plan_version": inv_demo.version})
    assert response.status_code == 400 and "decision_number" in response.context["form"].errors
    inv_demo.refresh_from_db()
    assert inv_demo.status == PlanStatus.DRAFT

    response = client.post(
        url,
        {"plan_version": inv_demo.version, "decision_number": "245/QĐ-UBND", "decision_date": "2026-02-10"},
        follow=True,
    )
    inv_demo.refresh_from_db()
    assert inv_demo.status == PlanStatus.APPROVED
    html = response.content.decode()
    assert "245/QĐ-UBND" in html and "10/02/2026" in html


def test_approve_page_asks_to_acknowledge_the_warnings(client, inv_demo, leader, settings):
    _over_allocate(inv_demo)
    inv_demo.refresh_from_db()
    client.force_login(leader)
    url = reverse("investments:investmentplan_approve", args=[inv_demo.pk])
    html = client.get(url).content.decode()
    assert 'id="approve-warnings"' in html and 'name="acknowledge_overrun"' in html
    data = {"plan_version": inv_demo.version, "decision_number": "245/QĐ-UBND", "decision_date": "2026-02-10"}
    response = client.post(url, data)
    assert response.status_code == 400 and "acknowledge_overrun" in response.context["form"].errors
    response = client.post(url, {**data, "acknowledge_overrun": "on", "comment": "Bổ sung vốn sau"}, follow=True)
    revision = inv_demo.revisions.get()
    assert revision.overrun_warnings and revision.approval_comment == "Bổ sung vốn sau"
    assert "data-overrun-acknowledged" in response.content.decode()


#
# Notifications
#


def test_leaders_are_notified_of_a_submitted_plan_and_the_notice_is_answered(inv_demo, finance, leader, make_user):
    other_leader = make_user("leader")
    inv_demo.refresh_from_db()
    services.plan_submit(plan=inv_demo, expected_version=inv_demo.version, user=finance)
    url = inv_demo.get_absolute_url()
    notices = Notification.objects.filter(kind=NotificationKind.PLAN_TO_APPROVE, url=url)
    assert {n.recipient for n in notices} == {leader, other_leader}
    assert all(n.read_at is None and inv_demo.title in n.title for n in notices)
    inv_demo.refresh_from_db()
    assert inv_demo.submitted_by == finance and inv_demo.submitted_at is not None
    with pytest.raises(ApplicationError):  # once is enough
        services.plan_submit(plan=inv_demo, expected_version=inv_demo.version, user=finance)

    services.plan_approve(plan=inv_demo, expected_version=inv_demo.version, user=leader, **DECISION)
    assert not notices.filter(read_at__isnull=True).exists()  # answered for every leader
    inv_demo.refresh_from_db()
    assert inv_demo.submitted_at is None


def test_submit_button_for_finance(client, inv_demo, finance, leader):
    client.force_login(finance)
    html = client.get(inv_demo.get_absolute_url()).content.decode()
    assert 'id="plan-submit"' in html
    response = client.post(
        reverse("investments:investmentplan_submit", args=[inv_demo.pk]), {"plan_version": inv_demo.version}
    )
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=leader, kind=NotificationKind.PLAN_TO_APPROVE).count() == 1
    html = client.get(inv_demo.get_absolute_url()).content.decode()
    assert 'id="plan-submitted"' in html and 'id="plan-submit"' not in html


#
# Allocations on an approved plan make a revision
#


def test_allocation_change_on_an_approved_plan_opens_a_revision(inv_demo, finance, leader):
    inv_demo.refresh_from_db()
    first = services.plan_approve(plan=inv_demo, expected_version=inv_demo.version, user=leader, **DECISION)
    allocation = Allocation.objects.filter(plan=inv_demo, year=2027, source=FundingSource.DISTRICT).first()
    old_amount = allocation.amount_vnd
    inv_demo.refresh_from_db()
    allocation.amount_vnd = old_amount + 50_000_000
    with pytest.raises(ApplicationError):  # an approved plan changes only with a reason
        services.allocation_save(allocation=allocation, user=finance, expected_version=inv_demo.version)
    assert Allocation.objects.get(pk=allocation.pk).amount_vnd == old_amount

    allocation = Allocation.objects.get(pk=allocation.pk)
    allocation.amount_vnd = old_amount + 50_000_000
    services.allocation_save(
        allocation=allocation, user=finance, expected_version=inv_demo.version, reason="Bổ sung vốn năm 2027"
    )
    inv_demo.refresh_from_db()
    assert inv_demo.status == PlanStatus.REVISED
    second = inv_demo.revisions.get(number=2)
    assert (second.reason, second.created_by, second.approved_at) == ("Bổ sung vốn năm 2027", finance, None)
    # The approved revision keeps the figures it was approved with; the comparison shows the change.
    kept = {(a["phase"], a["year"], a["source"]): a["amount_vnd"] for a in first.snapshot["allocations"]}
    assert kept[(allocation.phase.number, 2027, FundingSource.DISTRICT)] == old_amount
    diff = revision_compare(old=first, new=second)
    [change] = diff.allocation_changes
    assert (change.change, change.old["amount_vnd"], change.new["amount_vnd"]) == (
        "changed",
        old_amount,
        old_amount + 50_000_000,
    )
    assert diff.allocated_delta_vnd == 50_000_000 and diff.changes == []


def test_allocation_stale_version_is_a_conflict(inv_demo, finance):
    from common.exceptions import ConflictError

    phase = inv_demo.phases.get(number=3)
    stale = inv_demo.version - 1
    with pytest.raises(ConflictError):
        services.allocation_save(
            allocation=Allocation(plan=inv_demo, phase=phase, year=2028, source=FundingSource.PROVINCE, amount_vnd=1),
            user=finance,
            expected_version=stale,
        )


def test_allocation_pages_on_an_approved_plan_ask_for_a_reason(client, inv_demo, finance, leader):
    inv_demo.refresh_from_db()
    services.plan_approve(plan=inv_demo, expected_version=inv_demo.version, user=leader, **DECISION)
    inv_demo.refresh_from_db()
    client.force_login(finance)
    allocation = Allocation.objects.filter(plan=inv_demo).first()
    url = reverse("investments:allocation_edit", args=[allocation.pk])
    form = client.get(url).context["form"]
    assert form.fields["reason"].widget.input_type == "text"
    data = {
        "plan": inv_demo.pk,
        "phase": allocation.phase_id,
        "year": allocation.year,
        "source": allocation.source,
        "amount_vnd": allocation.amount_vnd + 1_000_000,
        "decision": allocation.decision,
        "plan_version": inv_demo.version,
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "reason" in response.content.decode()
    response = client.post(url, {**data, "reason": "Điều chỉnh theo QĐ 300"})
    assert response.status_code == 302
    inv_demo.refresh_from_db()
    assert inv_demo.status == PlanStatus.REVISED
    page = client.get(reverse("investments:investmentplan_revisions", args=[inv_demo.pk]) + "?old=1").content.decode()
    assert 'id="allocation-changes"' in page and "+1.000.000 ₫" in page and "Điều chỉnh theo QĐ 300" in page

    # Deleting one goes through the plan too.
    inv_demo.refresh_from_db()
    response = client.post(
        reverse("investments:allocation_delete", args=[allocation.pk]),
        {"plan_version": inv_demo.version, "reason": "Hủy nguồn"},
    )
    assert response.status_code == 302 and not Allocation.objects.filter(pk=allocation.pk).exists()
    assert "Hủy nguồn" in inv_demo.revisions.get(number=2).reason
