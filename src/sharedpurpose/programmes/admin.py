from django.contrib import admin

from .models import Announcement, Programme, Round, RoundTransition


class RoundInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Round
    fields = ["number", "name", "slug", "state"]
    # States change only through the lifecycle, so that every move is recorded.
    readonly_fields = ["state"]
    extra = 0
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "is_published"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["staff"]
    inlines = [RoundInline]


class RoundTransitionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoundTransition
    fields = ["occurred_at", "from_state", "to_state", "actor"]
    readonly_fields = ["occurred_at", "from_state", "to_state", "actor"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "programme", "number", "state"]
    list_filter = ["programme", "state"]
    readonly_fields = ["state"]
    inlines = [RoundTransitionInline]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "programme", "round", "kind", "published_at"]
    list_filter = ["programme", "kind"]
    readonly_fields = ["kind", "created_by"]
