"""Applications to a round: the form staff build, the partnership's answers, assessment by
assessors without conflicts of interest, the funder's decision and the award that becomes a
team.

An application's states and the moves between them are declared in ``lifecycle.py`` and
made only through ``services.workflow.application_transition``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from sharedpurpose.improvement.models import CorporateService, Side, Team
from sharedpurpose.programmes.models import Round

from .storage import private_storage


class ApplicationForm(models.Model):
    """The form a round's applicants fill in, built by staff in the site."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="application_form")
    introduction = models.TextField(blank=True, help_text="Markdown, shown before the form.")
    requires_corporate_lead = models.BooleanField(
        default=True, help_text="A partner must lead for corporate support services."
    )
    requires_clinical_lead = models.BooleanField(
        default=True, help_text="A partner must lead for clinical services."
    )
    min_partner_organisations = models.PositiveSmallIntegerField(
        default=1, help_text="Partner organisations needed besides the lead organisation."
    )
    copied_from = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Application form of {self.round}"


class FormSection(models.Model):
    form = models.ForeignKey(ApplicationForm, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")

    class Meta:
        ordering = ["form", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    FILE = "file", "File upload"


class FileType(models.TextChoices):
    """File types an applicant may upload; each is checked by extension and by content."""

    PDF = "pdf", "PDF"
    DOCX = "docx", "Word document (.docx)"
    XLSX = "xlsx", "Excel workbook (.xlsx)"
    PNG = "png", "PNG image"
    JPEG = "jpeg", "JPEG image"
    CSV = "csv", "CSV file"


class Question(models.Model):
    section = models.ForeignKey(FormSection, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    label = models.CharField(max_length=300)
    help_text = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    word_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Long text only.")
    choices = models.JSONField(default=list, blank=True, help_text="Choice questions only.")
    min_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    allowed_file_types = models.JSONField(
        default=list, blank=True, help_text="FileType values; file questions only."
    )
    max_file_mb = models.PositiveSmallIntegerField(null=True, blank=True)
    is_eligibility = models.BooleanField(
        default=False,
        help_text="Asked before an application starts; other answers than the eligible "
        "ones stop the applicant with the reason.",
    )
    eligible_choices = models.JSONField(default=list, blank=True)
    ineligible_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["section", "position", "pk"]

    def __str__(self) -> str:
        return self.label


class ApplicationState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_ASSESSMENT = "in_assessment", "In assessment"
    DECIDED = "decided", "Decided"
    AWARDED = "awarded", "Awarded"
    UNSUCCESSFUL = "unsuccessful", "Unsuccessful"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Application(models.Model):
    """A partnership's application to a round."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    reference = models.CharField(max_length=30, unique=True)
    title = models.CharField(max_length=200)
    state = models.CharField(
        max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    lead_applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    #: Moves on every change of the application's own fields and partnership, so that two
    #: people editing at once are told rather than overwriting each other.
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round", "reference"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("applications:application", kwargs={"reference": self.reference})


class ApplicationOrganisation(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Lead organisation"
        PARTNER = "partner", "Partner organisation"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=100, blank=True, help_text="e.g. acute trust, ICB")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PARTNER)

    class Meta:
        ordering = ["application", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(role="lead"),
                name="one_lead_organisation_per_application",
            ),
            models.UniqueConstraint(
                fields=["application", "name"], name="application_organisation_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationMember(models.Model):
    """A person editing an application: the lead applicant or an invited collaborator."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application_memberships"
    )
    is_lead_applicant = models.BooleanField(default=False)
    side = models.CharField(max_length=10, choices=Side.choices, blank=True)
    corporate_service = models.CharField(
        max_length=20, choices=CorporateService.choices, blank=True
    )
    clinical_area = models.CharField(max_length=200, blank=True)
    #: The partnership's corporate-services lead or clinical lead (by ``side``).
    leads_side = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "-is_lead_applicant", "joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "user"], name="application_member_unique"
            ),
            models.UniqueConstraint(
                fields=["application", "side"],
                condition=models.Q(leads_side=True),
                name="one_lead_per_side_per_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.application.reference}"


class ApplicationInvitation(models.Model):
    """The lead applicant's invitation to collaborate, accepted by the invited address."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    side = models.CharField(max_length=10, choices=Side.choices, blank=True)
    corporate_service = models.CharField(
        max_length=20, choices=CorporateService.choices, blank=True
    )
    clinical_area = models.CharField(max_length=200, blank=True)
    leads_side = models.BooleanField(default=False)
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
        return f"Invitation for {self.email} to {self.application.reference}"


def answer_upload_to(answer: Answer, filename: str) -> str:
    # The stored name never contains what the applicant called the file.
    import uuid

    return f"applications/{answer.application_id}/{uuid.uuid4().hex}"


class Answer(models.Model):
    """One answer; ``version`` moves on every change so concurrent edits are detected."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    #: Text for text questions, a list of strings for multiple choice, a string for the
    #: others (numbers as decimal strings, dates as ISO dates); None when unanswered.
    value = models.JSONField(null=True, blank=True)
    file = models.FileField(storage=private_storage, upload_to=answer_upload_to, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_content_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application", "question__section__position", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "question"], name="answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.question}"


class ApplicationTransition(models.Model):
    """One move of an application between states: who, when, from where to where, and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="transitions"
    )
    from_state = models.CharField(max_length=20, choices=ApplicationState.choices)
    to_state = models.CharField(max_length=20, choices=ApplicationState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.from_state} -> {self.to_state}"


class Criterion(models.Model):
    """What assessors score in a round, with its weight and scale."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    guidance = models.TextField(blank=True, help_text="Markdown: what each score means.")
    weight = models.PositiveSmallIntegerField(default=1)
    scale_min = models.PositiveSmallIntegerField(default=0)
    scale_max = models.PositiveSmallIntegerField(default=5)

    class Meta:
        ordering = ["round", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")),
                name="criterion_scale_has_range",
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="criterion_weight_pos"),
        ]

    def __str__(self) -> str:
        return self.name


class AssessorAssignment(models.Model):
    class Conflict(models.TextChoices):
        UNDECLARED = "undeclared", "Not yet declared"
        NONE = "none", "No conflict of interest"
        CONFLICTED = "conflicted", "Conflict of interest declared"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessor_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    conflict = models.CharField(
        max_length=12, choices=Conflict.choices, default=Conflict.UNDECLARED
    )
    conflict_reason = models.TextField(blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    #: Set when the assessor submits their scores; they can no longer change them.
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "assessor"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} assesses {self.application.reference}"


class Score(models.Model):
    assignment = models.ForeignKey(
        AssessorAssignment, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assignment", "criterion__position", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class Decision(models.Model):
    """The funder's decision after moderation, with the feedback the applicant receives."""

    class Outcome(models.TextChoices):
        AWARD = "award", "Award"
        REJECT = "reject", "Reject"
        WAITLIST = "waitlist", "Waitlist"

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    feedback = models.TextField(help_text="Sent to the applicants in the decision letter.")
    moderation_note = models.TextField(blank=True, help_text="For staff only.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()
    #: When the letter for this outcome was queued; a letter is queued once per outcome.
    letter_queued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.get_outcome_display()}"


class Award(models.Model):
    """An award: the application it came from and the team it became."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    team = models.OneToOneField(Team, on_delete=models.PROTECT, related_name="award")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    starts_on = models.DateField()
    ends_on = models.DateField()
    conditions = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application__reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="award_ends_after_it_starts",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="award_amount_pos"),
        ]

    def __str__(self) -> str:
        return f"Award to {self.application.reference}"
