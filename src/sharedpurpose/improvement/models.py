from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from sharedpurpose.programmes.models import Round


class Side(models.TextChoices):
    CORPORATE = "corporate", "Corporate support services"
    CLINICAL = "clinical", "Clinical services"


class CorporateService(models.TextChoices):
    HR_WORKFORCE = "hr_workforce", "HR and workforce"
    FINANCE = "finance", "Finance"
    ESTATES = "estates", "Estates and facilities"
    IT_DIGITAL = "it_digital", "IT and digital"
    PROCUREMENT = "procurement", "Procurement"
    COMMUNICATIONS = "communications", "Communications"
    OTHER = "other", "Other corporate service"


class Organisation(models.Model):
    """An NHS trust, council, university or other body taking part in a partnership."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=100, blank=True, help_text="e.g. acute trust, ICB")
    is_fictional = models.BooleanField(
        default=False, help_text="Demo organisations are fictional and say so on every page."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """An award-holder team: a partnership of corporate support services and clinical teams."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="teams")
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    summary = models.TextField()
    innovation = models.CharField(max_length=200, help_text="The team's main innovation.")
    corporate_services = models.JSONField(
        default=list, blank=True, help_text="CorporateService values the partnership involves."
    )
    clinical_areas = models.JSONField(
        default=list, blank=True, help_text="Clinical services, specialties or wards involved."
    )
    organisations: models.ManyToManyField[Organisation, TeamOrganisation] = models.ManyToManyField(
        Organisation, through="TeamOrganisation", related_name="teams"
    )
    is_published = models.BooleanField(
        default=False, help_text="Published teams appear on their round's public page."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("improvement:team", kwargs={"team_slug": self.slug})

    @property
    def corporate_service_labels(self) -> list[str]:
        labels = dict(CorporateService.choices)
        return [str(labels.get(value, value)) for value in self.corporate_services]


class TeamOrganisation(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Lead organisation"
        PARTNER = "partner", "Partner organisation"

    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PARTNER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "organisation"], name="team_org_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display().lower()})"


class TeamMembership(models.Model):
    """A person's place in a team: their team role and which side they work on."""

    class Role(models.TextChoices):
        LEAD = "lead", "Team lead"
        MEMBER = "member", "Member"
        DATA_CONTRIBUTOR = "data_contributor", "Data contributor"
        COACH = "coach", "Improvement coach"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    side = models.CharField(max_length=10, choices=Side.choices)
    corporate_service = models.CharField(
        max_length=20, choices=CorporateService.choices, blank=True
    )
    clinical_area = models.CharField(
        max_length=200, blank=True, help_text="Service, specialty or ward."
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"

    @property
    def area_label(self) -> str:
        if self.side == Side.CORPORATE:
            return self.get_corporate_service_display() or "Corporate services"
        return self.clinical_area or "Clinical services"


class Measure(models.Model):
    """A time series with an operational definition, measured by a team."""

    class Direction(models.TextChoices):
        INCREASE = "increase", "Higher is better"
        DECREASE = "decrease", "Lower is better"
        NEUTRAL = "neutral", "Neither"

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(max_length=200)
    definition = models.TextField(help_text="Operational definition: what is counted and how.")
    unit = models.CharField(max_length=50, blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    improvement_direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    target = models.FloatField(null=True, blank=True)
    side = models.CharField(max_length=10, choices=Side.choices)
    source_note = models.CharField(
        max_length=300, blank=True, help_text="Where the data come from, with any licence."
    )

    class Meta:
        ordering = ["team", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="measure_name_unique_in_team"),
        ]

    def __str__(self) -> str:
        return self.name


class DataPoint(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="points")
    period = models.DateField(help_text="The first day of the period measured.")
    value = models.FloatField(null=True, blank=True, help_text="Empty when not recorded.")

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"], name="one_point_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.period} = {self.value}"
