from rest_framework.routers import DefaultRouter

from investments.api import views

router = DefaultRouter()
router.register("catalogue-items", views.CatalogueItemViewSet)
router.register("item-prices", views.ItemPriceViewSet)
router.register("standard-kits", views.StandardKitViewSet)
router.register("kit-lines", views.KitLineViewSet)
router.register("investment-plans", views.InvestmentPlanViewSet)
router.register("plan-phases", views.PhaseViewSet)
router.register("plan-lines", views.PlanLineViewSet)
router.register("allocations", views.AllocationViewSet)
router.register("spending", views.SpendingViewSet)

urlpatterns = router.urls
