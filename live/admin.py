from django.contrib import admin

from live.models import LiveAction, MediaServer, ParticipantState, ReadinessCheck, VideoRoom


@admin.register(MediaServer)
class MediaServerAdmin(admin.ModelAdmin):
    list_display = ("name", "server_name", "api_url", "is_enabled", "is_healthy", "last_checked_at")
    readonly_fields = ("is_healthy", "failed_probes", "last_checked_at", "last_started_at", "last_error")


@admin.register(VideoRoom)
class VideoRoomAdmin(admin.ModelAdmin):
    list_display = ("meeting", "server", "status", "provisioned_at", "closed_at")
    list_filter = ("status", "server")
    exclude = ("pin",)
    readonly_fields = ("room_id", "seq")


@admin.register(ParticipantState)
class ParticipantStateAdmin(admin.ModelAdmin):
    list_display = ("display", "video_room", "state", "audio_muted", "talking", "changed_at")
    exclude = ("join_token", "counters")


admin.site.register(ReadinessCheck)
admin.site.register(LiveAction)
