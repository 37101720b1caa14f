from django.urls import path

from common.urls import object_urls
from meetings.views import bookings as v

urlpatterns = [
    path("bookings/calendar/", v.CalendarView.as_view(), name="booking_calendar"),
    path("bookings/free-slots/", v.FreeSlotView.as_view(), name="booking_free_slots"),
    path("bookings/feeds/", v.CalendarFeedsView.as_view(), name="booking_feeds"),
    path("bookings/feeds/<str:key>/mine.ics", v.feed_mine, name="booking_feed_mine"),
    path("bookings/feeds/<str:key>/rooms/<int:room_id>.ics", v.feed_room, name="booking_feed_room"),
    path("bookings/<int:pk>/booking.ics", v.BookingIcsView.as_view(), name="booking_ics"),
    *object_urls(
        "bookings", "booking", list_view=v.BookingListView, detail=v.BookingDetailView, edit=v.BookingEditView
    ),
    # After object_urls, so that …/edit/ is not taken for an action.
    path("bookings/<int:pk>/<str:verb>/", v.BookingActionView.as_view(), name="booking_action"),
    path("bookings/series/", v.BookingSeriesListView.as_view(), name="bookingseries_list"),
    path("bookings/series/add/", v.BookingSeriesAddView.as_view(), name="bookingseries_add"),
    path("bookings/series/<int:pk>/", v.BookingSeriesDetailView.as_view(), name="bookingseries_detail"),
    path("bookings/series/<int:pk>/<str:verb>/", v.BookingSeriesActionView.as_view(), name="bookingseries_action"),
    path("bookings/skipped/<int:pk>/readd/", v.SkippedDateReaddView.as_view(), name="skippeddate_readd"),
    *object_urls(
        "bookings/policies",
        "roombookingpolicy",
        list_view=v.RoomBookingPolicyListView,
        detail=v.RoomBookingPolicyDetailView,
        edit=v.RoomBookingPolicyEditView,
        delete=v.RoomBookingPolicyDeleteView,
    ),
]
