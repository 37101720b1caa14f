from rest_framework.routers import SimpleRouter

from meetings.api.views import bookings as views

router = SimpleRouter()
router.register("bookings", views.BookingViewSet)
router.register("booking-series", views.BookingSeriesViewSet)
router.register("skipped-dates", views.SkippedDateViewSet)
router.register("booking-policies", views.RoomBookingPolicyViewSet)

urlpatterns = router.urls
