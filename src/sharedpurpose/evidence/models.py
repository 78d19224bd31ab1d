"""The evidence base: interventions teams share, what their data say about each, case
studies, and programme reports.

Evidence rows are computed from the teams' data by ``services.compute``, never typed in;
a row remembers the measure's ``data_version`` it was computed from, so a stale row is
recognisable and is recomputed in the background when the data change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from sharedpurpose.applications.storage import private_storage
from sharedpurpose.improvement.models import DriverNode, Measure, MeasureKind, Team
from sharedpurpose.programmes.models import Round


class Intervention(models.Model):
    """A change idea teams share, e.g. value-based interviewing."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200, unique=True)
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="Markdown.")
    corporate_services = models.JSONField(
        default=list, blank=True, help_text="CorporateService values involved."
    )
    clinical_areas = models.JSONField(default=list, blank=True)
    added_by_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the programme's own catalogue entries.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("evidence:intervention", kwargs={"slug": self.slug})


class InterventionUse(models.Model):
    """A team using an intervention at a site: its change idea carries the start date, and
    the measures of that change idea's goal are where its effect is looked for."""

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="uses")
    change_idea = models.OneToOneField(
        DriverNode, on_delete=models.CASCADE, related_name="intervention_use"
    )
    site = models.CharField(max_length=200, help_text="Where, e.g. 'Wards 7 to 10, Riverside'.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["intervention", "change_idea__goal__team__name", "site"]

    def __str__(self) -> str:
        return f"{self.intervention} at {self.site}"


class Verdict(models.TextChoices):
    IMPROVEMENT = "improvement", "Improvement"
    DETERIORATION = "deterioration", "Deterioration"
    CHANGE = "change", "Change (no better direction)"
    NO_CHANGE = "no_change", "No change"
    NOT_JUDGED = "not_judged", "Not judged"


class EvidenceRow(models.Model):
    """What one measure's data say about one use of an intervention."""

    use = models.ForeignKey(InterventionUse, on_delete=models.CASCADE, related_name="evidence")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="evidence_rows")
    measure_kind = models.CharField(max_length=10, choices=MeasureKind.choices)
    data_version = models.PositiveIntegerField()
    started_on = models.DateField()
    verdict = models.CharField(max_length=15, choices=Verdict.choices)
    sustained = models.BooleanField(default=False)
    baseline_points = models.PositiveIntegerField()
    followup_points = models.PositiveIntegerField()
    baseline_mean = models.FloatField(null=True)
    followup_mean = models.FloatField(null=True)
    change = models.FloatField(null=True)
    change_low = models.FloatField(null=True)
    change_high = models.FloatField(null=True)
    periods_to_signal = models.PositiveIntegerField(null=True)
    first_signal_on = models.DateField(null=True)
    first_concern_on = models.DateField(null=True)
    baseline_unstable = models.BooleanField(default=False)
    reasons = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["use", "measure_kind", "measure__name"]
        constraints = [
            models.UniqueConstraint(fields=["use", "measure"], name="one_evidence_row_per_measure"),
        ]

    def __str__(self) -> str:
        return f"{self.use}: {self.measure} {self.verdict}"


class OutcomeArea(models.TextChoices):
    SAFETY = "safety", "Patient safety"
    EXPERIENCE = "experience", "Patient experience"
    EFFECTIVENESS = "effectiveness", "Clinical effectiveness"
    ACCESS = "access", "Access and flow"
    WORKFORCE = "workforce", "Workforce"
    VALUE = "value", "Efficiency and value"


class CaseStudy(models.Model):
    """A team's account of its work, reviewed by staff before it is published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="case_studies")
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    problem = models.TextField(help_text="Markdown: the problem.")
    what_we_did = models.TextField(help_text="Markdown: what the team did.")
    results = models.TextField(help_text="Markdown: the results, beside the live charts.")
    learning = models.TextField(help_text="Markdown: what the team learnt.")
    contacts = models.TextField(blank=True, help_text="Who to contact and how.")
    outcome_area = models.CharField(max_length=20, choices=OutcomeArea.choices)
    corporate_services = models.JSONField(default=list, blank=True)
    clinical_areas = models.JSONField(default=list, blank=True)
    interventions = models.ManyToManyField(Intervention, blank=True, related_name="case_studies")
    measures = models.ManyToManyField(
        Measure, blank=True, related_name="case_studies", help_text="Charts shown live."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "title"]
        verbose_name_plural = "case studies"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evidence:case_study", kwargs={"slug": self.slug})


class CaseStudyReview(models.Model):
    """One step of a case study's review: submitted, changes requested, published..."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(max_length=20, choices=Action.choices)
    comment = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_study", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_study}: {self.action}"


class ProgrammeReport(models.Model):
    """A board report of one round, generated in the background as HTML and PDF."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being generated"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    html = models.TextField(blank=True)
    pdf = models.FileField(storage=private_storage, upload_to="reports/", blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Report on {self.round} ({self.get_status_display()})"
