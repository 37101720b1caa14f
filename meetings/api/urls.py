from meetings.api.urls_bookings import urlpatterns as booking_patterns
from meetings.api.urls_briefings import urlpatterns as briefing_patterns

urlpatterns = [*booking_patterns, *briefing_patterns]
