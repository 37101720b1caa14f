from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from common.context_processors import register_area
        from meetings import panels_bookings, panels_briefings  # noqa: F401  (panels, map status, site section)
        from meetings.services.briefings import tasks_move_on_merge
        from sites.services import register_merge_handler

        register_merge_handler("meetings.tasks", tasks_move_on_merge)

        register_area(
            _("Briefings"),
            [
                (_("Meetings"), "meetings:meeting_list", "meetings.view_meeting"),
                (_("Leaders' overview"), "meetings:briefing_dashboard", "meetings.view_minutes"),
                (_("What the network saves"), "meetings:briefing_savings", "meetings.view_rollcall"),
                (_("Tasks"), "meetings:minutestask_list", "meetings.view_minutestask"),
                (_("Proposals"), "meetings:proposal_list", "meetings.view_proposal"),
                (_("District offices"), "meetings:districtoffice_list", "meetings.change_districtoffice"),
                (_("Text blocks"), "meetings:textblock_list", "meetings.view_textblock"),
            ],
        )
        # Bookings menu.
        register_area(
            _("Bookings"),
            [
                (_("Calendar"), "meetings:booking_calendar", "meetings.view_booking"),
                (_("Find a free slot"), "meetings:booking_free_slots", "meetings.view_booking"),
                (_("Bookings"), "meetings:booking_list", "meetings.view_booking"),
                (_("Recurring bookings"), "meetings:bookingseries_list", "meetings.view_bookingseries"),
                (_("Room booking policies"), "meetings:roombookingpolicy_list", "meetings.view_roombookingpolicy"),
                (_("Calendar feeds"), "meetings:booking_feeds", "meetings.view_booking"),
            ],
        )
