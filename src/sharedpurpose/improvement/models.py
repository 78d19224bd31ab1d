from __future__ import annotations

from datetime import date
from typing import Any

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
    shared_with: models.ManyToManyField[Team, Any] = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="shared_by",
        blank=True,
        help_text="Other teams of the programme whose members may read this workspace.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("improvement:team", kwargs={"team_slug": self.slug})

    def get_workspace_url(self) -> str:
        return reverse("improvement:workspace", kwargs={"team_slug": self.slug})

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


class TeamInvitation(models.Model):
    """A lead's invitation to join a team, accepted by signing in with the invited address."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=TeamMembership.Role.choices)
    side = models.CharField(max_length=10, choices=Side.choices)
    corporate_service = models.CharField(
        max_length=20, choices=CorporateService.choices, blank=True
    )
    clinical_area = models.CharField(max_length=200, blank=True)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.team}"


class Goal(models.Model):
    """A common quality goal that corporate and clinical sides both own."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    aim_what = models.CharField(
        max_length=300, help_text="What will improve, e.g. 'Reduce falls on wards A to C'."
    )
    aim_how_much = models.CharField(max_length=100, help_text="How much, e.g. 'by 30%'.")
    aim_by_when = models.DateField(help_text="By when.")
    corporate_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    clinical_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team", "created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("improvement:goal", kwargs={"team_slug": self.team.slug, "goal_id": self.pk})

    @property
    def aim_statement(self) -> str:
        return f"{self.aim_what} {self.aim_how_much} by {self.aim_by_when:%B %Y}"


class DriverNode(models.Model):
    """A node of a goal's driver diagram; the goal's aim is the root above the primary drivers."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary driver"
        SECONDARY = "secondary", "Secondary driver"
        CHANGE_IDEA = "change_idea", "Change idea"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    side = models.CharField(max_length=10, choices=Side.choices, help_text="Who owns this node.")
    corporate_service = models.CharField(
        max_length=20, choices=CorporateService.choices, blank=True
    )
    clinical_area = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order among its siblings.")
    started_on: models.DateField[date | None, date | None] = models.DateField(
        null=True, blank=True, help_text="Change ideas: when the team started testing it."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["goal", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def owner_label(self) -> str:
        if self.side == Side.CORPORATE:
            return self.get_corporate_service_display() or "Corporate services"
        return self.clinical_area or "Clinical services"


class ChartType(models.TextChoices):
    XMR = "xmr", "XmR (individuals)"
    RUN = "run", "Run chart"
    P = "p", "p chart (proportions)"
    U = "u", "u chart (rates)"
    C = "c", "c chart (counts)"
    G = "g", "g chart (between rare events)"


class MeasureKind(models.TextChoices):
    OUTCOME = "outcome", "Outcome"
    PROCESS = "process", "Process"
    BALANCING = "balancing", "Balancing"


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
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures"
    )
    driver_node = models.ForeignKey(
        DriverNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        help_text="The driver or change idea this measure tracks, if any.",
    )
    kind = models.CharField(max_length=10, choices=MeasureKind.choices, default=MeasureKind.OUTCOME)
    chart_type = models.CharField(max_length=5, choices=ChartType.choices, default=ChartType.XMR)
    data_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who supplies the data.",
    )
    library_key = models.CharField(
        max_length=100, blank=True, help_text="The measure-library template it was adopted from."
    )
    data_version = models.PositiveIntegerField(
        default=0, help_text="Bumped on every change to data, settings or annotations."
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
    denominator = models.FloatField(
        null=True, blank=True, help_text="p and u charts: the cases or exposure (n)."
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"], name="one_point_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.period} = {self.value}"


class DataImport(models.Model):
    """An uploaded CSV or Excel file, kept whole: previewed, mapped, then committed or not."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        INVALID = "invalid", "Has errors"
        COMMITTED = "committed", "Imported"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="imports")
    measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="imports",
        help_text="Empty when the file names its measures in a column.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to="imports/%Y/%m/")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    mapping = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    points_created = models.PositiveIntegerField(default=0)
    points_updated = models.PositiveIntegerField(default=0)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


class DataPointChange(models.Model):
    """The audit trail of data: who changed which point, when, from what to what."""

    class Source(models.TextChoices):
        GRID = "grid", "Entered in the grid"
        IMPORT = "import", "Imported from a file"
        API = "api", "Sent through the API"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="changes")
    period = models.DateField()
    old_value = models.FloatField(null=True, blank=True)
    new_value = models.FloatField(null=True, blank=True)
    old_denominator = models.FloatField(null=True, blank=True)
    new_denominator = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    data_import = models.ForeignKey(
        DataImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["measure", "period"])]

    def __str__(self) -> str:
        return f"{self.measure} {self.period}: {self.old_value} -> {self.new_value}"


class Rebase(models.Model):
    """A deliberate new period on a chart (limits recalculated), with the reason for it."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="rebases")
    period = models.DateField(help_text="The first period of the new limits.")
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"], name="one_rebase_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: new limits from {self.period}"


class PdsaCycle(models.Model):
    """A Plan-Do-Study-Act test of a change idea; cycles link into ramps."""

    class Decision(models.TextChoices):
        ADOPT = "adopt", "Adopt"
        ADAPT = "adapt", "Adapt"
        ABANDON = "abandon", "Abandon"

    change_idea = models.ForeignKey(DriverNode, on_delete=models.CASCADE, related_name="cycles")
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_cycles",
        help_text="The cycle this one builds on, making a ramp.",
    )
    title = models.CharField(max_length=200)
    plan_question = models.TextField(help_text="What question will this cycle answer?")
    plan_prediction = models.TextField(help_text="What do you predict will happen?")
    plan_who = models.CharField(max_length=300, blank=True)
    plan_what = models.TextField(blank=True)
    plan_where = models.CharField(max_length=300, blank=True)
    starts_on: models.DateField[date | None, date | None] = models.DateField(null=True, blank=True)
    ends_on: models.DateField[date | None, date | None] = models.DateField(null=True, blank=True)
    do_notes = models.TextField(blank=True, help_text="What happened.")
    study_notes = models.TextField(blank=True, help_text="The result against the prediction.")
    measures = models.ManyToManyField(
        Measure, blank=True, related_name="pdsa_cycles", help_text="Charts that show the result."
    )
    act_decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    act_notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["change_idea", "starts_on", "pk"]

    def __str__(self) -> str:
        return self.title


class MeasureChart(models.Model):
    """The measure's computed chart, kept until its data, settings or annotations change."""

    measure = models.OneToOneField(Measure, on_delete=models.CASCADE, related_name="chart_cache")
    data_version = models.PositiveIntegerField()
    computed_at = models.DateTimeField()
    summary = models.JSONField(default=dict, help_text="Icons, latest value and signals.")
    svg = models.TextField()
    table_html = models.TextField()

    def __str__(self) -> str:
        return f"Chart of {self.measure} (version {self.data_version})"
