from django.contrib import admin

from .models import Programme, Round


class RoundInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Round
    fields = ["number", "name", "slug", "state"]
    extra = 0
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "is_published"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoundInline]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "programme", "number", "state"]
    list_filter = ["programme", "state"]
