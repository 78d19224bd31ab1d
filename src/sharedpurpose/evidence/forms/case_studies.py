"""Forms of the case studies area: writing one, the library's search, and staff review."""

from __future__ import annotations

from typing import Any

from django import forms

from sharedpurpose.core.forms import ModelMultipleChoiceField
from sharedpurpose.improvement.models import CorporateService, Measure, Team

from ..models import CaseStudy, Intervention, OutcomeArea
from ..search import CaseStudyFilters, library_clinical_areas, library_interventions
from ..services.case_studies import SLUG_LENGTH, CaseStudyValues, Move

_MARKDOWN = "Markdown: a blank line between paragraphs, *italics*, **bold**, - for a list."
MARKDOWN_FIELDS = ("problem", "what_we_did", "results", "learning", "contacts")


def _textarea(rows: int = 6) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class CaseStudyForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    slug = forms.CharField(
        label="Web address",
        max_length=SLUG_LENGTH,
        required=False,
        help_text="The last part of the case study's address: lower-case letters, numbers and "
        "hyphens. Leave it empty to make one from the title.",
    )
    summary = forms.CharField(
        max_length=300,
        widget=_textarea(2),
        help_text="One or two sentences shown in the library. 300 characters or fewer.",
        error_messages={"required": "Enter a one-sentence summary"},
    )
    problem = forms.CharField(
        label="The problem",
        widget=_textarea(),
        help_text=_MARKDOWN,
        error_messages={"required": "Enter the problem the team set out to solve"},
    )
    what_we_did = forms.CharField(
        label="What we did",
        widget=_textarea(),
        help_text=_MARKDOWN,
        error_messages={"required": "Enter what the team did"},
    )
    results = forms.CharField(
        label="Results",
        widget=_textarea(),
        help_text=_MARKDOWN + " The charts of the measures you choose below appear beside it.",
        error_messages={"required": "Enter the results"},
    )
    learning = forms.CharField(
        label="What we learnt",
        widget=_textarea(),
        help_text=_MARKDOWN,
        error_messages={"required": "Enter what the team learnt"},
    )
    contacts = forms.CharField(
        label="Contacts",
        widget=_textarea(3),
        required=False,
        help_text="Who readers can contact and how. " + _MARKDOWN,
    )
    outcome_area = forms.ChoiceField(
        label="Outcome area",
        choices=[("", "Choose an outcome area"), *OutcomeArea.choices],
        error_messages={
            "required": "Choose the outcome area the case study is about",
            "invalid_choice": "Choose the outcome area the case study is about",
        },
    )
    corporate_services = forms.MultipleChoiceField(
        label="Corporate services involved",
        choices=CorporateService.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose corporate services from the list"},
    )
    clinical_areas = forms.CharField(
        label="Clinical areas involved",
        widget=_textarea(3),
        required=False,
        help_text="One clinical service, specialty or ward a line.",
    )
    interventions = ModelMultipleChoiceField(
        queryset=Intervention.objects.none(),
        label="Interventions",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose interventions from the catalogue"},
    )
    measures = ModelMultipleChoiceField(
        queryset=Measure.objects.none(),
        label="Measures whose charts appear",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose measures of this team"},
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        interventions = self.fields["interventions"]
        assert isinstance(interventions, forms.ModelMultipleChoiceField)
        interventions.queryset = Intervention.objects.order_by("name")
        measures = self.fields["measures"]
        assert isinstance(measures, forms.ModelMultipleChoiceField)
        measures.queryset = team.measures.order_by("side", "name")

    @staticmethod
    def initial_from(case_study: CaseStudy) -> dict[str, Any]:
        """The form's starting values for an existing case study."""
        return {
            **{
                name: getattr(case_study, name)
                for name in (
                    "title",
                    "slug",
                    "summary",
                    "problem",
                    "what_we_did",
                    "results",
                    "learning",
                    "contacts",
                    "outcome_area",
                    "corporate_services",
                )
            },
            "clinical_areas": "\n".join(case_study.clinical_areas),
            "interventions": [i.pk for i in case_study.interventions.all()],
            "measures": [m.pk for m in case_study.measures.all()],
        }

    def values(self) -> CaseStudyValues:
        data = self.cleaned_data
        return CaseStudyValues(
            title=data["title"],
            slug=data.get("slug") or "",
            summary=data["summary"],
            problem=data["problem"],
            what_we_did=data["what_we_did"],
            results=data["results"],
            learning=data["learning"],
            contacts=data.get("contacts") or "",
            outcome_area=data["outcome_area"],
            corporate_services=tuple(data.get("corporate_services") or ()),
            clinical_areas=tuple((data.get("clinical_areas") or "").splitlines()),
            interventions=tuple(data.get("interventions") or ()),
            measures=tuple(data.get("measures") or ()),
        )

    def preview(self) -> dict[str, str]:
        """The Markdown fields as typed, to show how they will read before saving."""
        return {name: str(self.data.get(name, "")) for name in MARKDOWN_FIELDS}


_FILTER_NAMES = {
    "innovation": "an innovation",
    "corporate_service": "a corporate service",
    "clinical_area": "a clinical area",
    "outcome_area": "an outcome",
}


class CaseStudySearchForm(forms.Form):
    q = forms.CharField(
        label="Search case studies",
        max_length=200,
        required=False,
        help_text="For example, telemedicine or falls.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        error_messages={"max_length": "Enter 200 characters or fewer"},
    )
    innovation = forms.ChoiceField(label="Innovation", required=False)
    corporate_service = forms.ChoiceField(
        label="Corporate service",
        required=False,
        choices=[("", "Any corporate service"), *CorporateService.choices],
    )
    clinical_area = forms.ChoiceField(label="Clinical area", required=False)
    outcome_area = forms.ChoiceField(
        label="Outcome",
        required=False,
        choices=[("", "Any outcome"), *OutcomeArea.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "innovation": [
                ("", "Any innovation"),
                *library_interventions().order_by("name").values_list("slug", "name"),
            ],
            "clinical_area": [
                ("", "Any clinical area"),
                *((area, area) for area in library_clinical_areas()),
            ],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options
        for name, what in _FILTER_NAMES.items():
            self.fields[name].error_messages["invalid_choice"] = f"Choose {what} from the list"

    def query(self) -> str:
        """The search words; empty when they were not valid."""
        return str(self.cleaned_data.get("q") or "")

    def filters(self) -> CaseStudyFilters:
        """The valid filters (an invalid one is reported and left out)."""
        data = self.cleaned_data
        return CaseStudyFilters(
            innovation=data.get("innovation") or "",
            corporate_service=data.get("corporate_service") or "",
            clinical_area=data.get("clinical_area") or "",
            outcome_area=data.get("outcome_area") or "",
        )


class ReviewForm(forms.Form):
    """One staff move on a case study. The move comes from the button pressed; the comment
    is asked for only by moves that need one (``Move.comment_label``)."""

    comment = forms.CharField(
        widget=_textarea(4),
        required=False,
        max_length=4000,
        error_messages={"max_length": "Enter 4,000 characters or fewer"},
    )

    def __init__(self, *args: Any, move: Move, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", str(move.action))
        super().__init__(*args, **kwargs)
        self.move = move
        self.fields["comment"].label = move.comment_label or "Comment"

    def comment_text(self) -> str:
        return str(self.cleaned_data.get("comment") or "")
