from django.contrib import admin

from .models import DataPoint, Measure, Organisation, Team, TeamMembership, TeamOrganisation


class TeamOrganisationInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TeamOrganisation
    extra = 0


class TeamMembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TeamMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "round", "innovation", "is_published"]
    list_filter = ["round", "is_published"]
    inlines = [TeamOrganisationInline, TeamMembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "kind", "is_fictional"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "team", "side", "frequency", "improvement_direction"]
    list_filter = ["team", "side"]


@admin.register(DataPoint)
class DataPointAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["measure", "period", "value"]
    list_filter = ["measure__team"]
