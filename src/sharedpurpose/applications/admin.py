from django.contrib import admin

from .models import Application, ApplicationTransition, Award, Decision


class TransitionInline(admin.TabularInline[ApplicationTransition, Application]):
    model = ApplicationTransition
    extra = 0
    can_delete = False
    readonly_fields = ("from_state", "to_state", "actor", "reason", "occurred_at")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin[Application]):
    """Read-only: applications change only through the site's pages and their checks."""

    list_display = ("reference", "title", "round", "state", "submitted_at")
    list_filter = ("state", "round")
    search_fields = ("reference", "title")
    inlines = [TransitionInline]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False


admin.site.register(Decision)
admin.site.register(Award)
