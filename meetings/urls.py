from meetings.urls_bookings import urlpatterns as booking_patterns
from meetings.urls_briefings import urlpatterns as briefing_patterns

app_name = "meetings"

urlpatterns = [*booking_patterns, *briefing_patterns]
