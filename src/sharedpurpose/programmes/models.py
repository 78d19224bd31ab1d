from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class Programme(models.Model):
    """A funder's improvement programme, run in rounds (e.g. Closing the Gap)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    summary = models.TextField(help_text="One or two sentences shown in lists and search results.")
    description = models.TextField(blank=True, help_text="Markdown.")
    is_published = models.BooleanField(default=False)
    comments_locked = models.BooleanField(
        default=False, help_text="Locked pages keep their comments but take no new ones."
    )
    # The funder's programme staff (a site role) run every programme; these people run only
    # this one, and see nothing of the others' unpublished rounds, applications or teams.
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="staffed_programmes",
        help_text="People who run this programme only.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:programme", kwargs={"programme_slug": self.slug})


class RoundState(models.TextChoices):
    DRAFT = "draft", "Draft"
    ANNOUNCED = "announced", "Opening soon"
    OPEN = "open", "Open for applications"
    CLOSED = "closed", "Closed for applications"
    IN_DELIVERY = "in_delivery", "In delivery"
    COMPLETE = "complete", "Complete"


PUBLIC_ROUND_STATES = frozenset(RoundState) - {RoundState.DRAFT}


class Round(models.Model):
    """One round of a programme: its aims, key dates and where it is in its lifecycle."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    summary = models.TextField()
    aims = models.JSONField(default=list, blank=True, help_text="A list of short aim statements.")
    body = models.TextField(blank=True, help_text="Markdown.")
    state = models.CharField(max_length=20, choices=RoundState.choices, default=RoundState.DRAFT)
    timezone = models.CharField(max_length=64, default="Europe/London")
    applications_open_at = models.DateTimeField(null=True, blank=True)
    applications_close_at = models.DateTimeField(null=True, blank=True)
    delivery_starts_on = models.DateField(null=True, blank=True)
    delivery_ends_on = models.DateField(null=True, blank=True)
    comments_locked = models.BooleanField(
        default=False, help_text="Locked pages keep their comments but take no new ones."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "slug"], name="round_slug_unique"),
            models.UniqueConstraint(fields=["programme", "number"], name="round_number_unique"),
            models.CheckConstraint(
                condition=models.Q(applications_close_at__isnull=True)
                | models.Q(applications_open_at__isnull=True)
                | models.Q(applications_close_at__gt=models.F("applications_open_at")),
                name="round_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name}, round {self.number}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "programmes:round",
            kwargs={"programme_slug": self.programme.slug, "round_slug": self.slug},
        )


class RoundTransition(models.Model):
    """One move of a round through its lifecycle: who moved it, when, from where to where."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=RoundState.choices)
    to_state = models.CharField(max_length=20, choices=RoundState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.round}: {self.from_state} -> {self.to_state}"


class Announcement(models.Model):
    """News of a programme or round, published in the Atom feed (e.g. applications open)."""

    class Kind(models.TextChoices):
        APPLICATIONS_OPEN = "applications_open", "Applications open"
        NEWS = "news", "News"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="announcements")
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, null=True, blank=True, related_name="announcements"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEWS)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    published_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            # Opening a round announces it once, however often the transition is retried.
            models.UniqueConstraint(
                fields=["round", "kind"],
                condition=models.Q(kind="applications_open"),
                name="one_opening_announcement_per_round",
            ),
        ]

    def __str__(self) -> str:
        return self.title
