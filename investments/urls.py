from django.urls import path

from common.urls import object_urls
from investments import views as v

app_name = "investments"

urlpatterns = [
    *object_urls(
        "catalogue",
        "catalogueitem",
        list_view=v.CatalogueItemListView,
        detail=v.CatalogueItemDetailView,
        edit=v.CatalogueItemEditView,
        delete=v.CatalogueItemDeleteView,
    ),
    *object_urls("prices", "itemprice", edit=v.ItemPriceEditView, delete=v.ItemPriceDeleteView),
    *object_urls(
        "kits",
        "standardkit",
        list_view=v.StandardKitListView,
        detail=v.StandardKitDetailView,
        edit=v.StandardKitEditView,
        delete=v.StandardKitDeleteView,
    ),
    *object_urls("kit-lines", "kitline", edit=v.KitLineEditView, delete=v.KitLineDeleteView),
    *object_urls(
        "plans",
        "investmentplan",
        list_view=v.InvestmentPlanListView,
        detail=v.InvestmentPlanDetailView,
        edit=v.InvestmentPlanEditView,
        delete=v.InvestmentPlanDeleteView,
    ),
    path("plans/<int:pk>/generate/", v.PlanGenerateView.as_view(), name="investmentplan_generate"),
    path("plans/<int:pk>/assign/", v.PlanAssignPhaseView.as_view(), name="investmentplan_assign"),
    path("plans/<int:pk>/submit/", v.PlanSubmitView.as_view(), name="investmentplan_submit"),
    path("plans/<int:pk>/approve/", v.PlanApproveView.as_view(), name="investmentplan_approve"),
    path("plans/<int:pk>/revisions/", v.PlanRevisionsView.as_view(), name="investmentplan_revisions"),
    path("plans/<int:pk>/export/<slug:kind>.<slug:fmt>", v.PlanExportView.as_view(), name="investmentplan_export"),
    *object_urls("phases", "phase", edit=v.PhaseEditView, delete=v.PhaseDeleteView),
    *object_urls(
        "lines",
        "planline",
        list_view=v.PlanLineListView,
        detail=v.PlanLineDetailView,
        edit=v.PlanLineEditView,
        delete=v.PlanLineDeleteView,
    ),
    path("lines/<int:pk>/deliver/", v.PlanLineDeliverView.as_view(), name="planline_deliver"),
    *object_urls("allocations", "allocation", edit=v.AllocationEditView, delete=v.AllocationDeleteView),
    *object_urls("spending", "spending", edit=v.SpendingEditView, delete=v.SpendingDeleteView),
]
