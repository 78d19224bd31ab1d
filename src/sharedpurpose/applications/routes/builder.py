"""Staff pages that build a round's application form and assessment criteria."""

from __future__ import annotations

from django.urls import URLPattern, path

from ..views import builder

_ROUND = "manage/programmes/<slug:programme_slug>/rounds/<slug:round_slug>/"
_FORM = _ROUND + "form/"
_SECTION = _FORM + "sections/<int:section_id>/"
_QUESTION = _FORM + "questions/<int:question_id>/"
_CRITERIA = _ROUND + "criteria/"
_CRITERION = _CRITERIA + "<int:criterion_id>/"

urlpatterns: list[URLPattern] = [
    path(_FORM, builder.form_manage, name="form_manage"),
    path(_FORM + "create/", builder.form_create, name="form_create"),
    path(_FORM + "copy/", builder.form_copy, name="form_copy"),
    path(_FORM + "settings/", builder.form_settings, name="form_settings"),
    path(_FORM + "preview/", builder.form_preview, name="form_preview"),
    path(_FORM + "sections/new/", builder.section_create, name="section_create"),
    path(_SECTION + "edit/", builder.section_edit, name="section_edit"),
    path(_SECTION + "delete/", builder.section_delete, name="section_delete"),
    path(_SECTION + "move/", builder.section_move, name="section_move"),
    path(_SECTION + "questions/new/", builder.question_create, name="question_create"),
    path(_QUESTION + "edit/", builder.question_edit, name="question_edit"),
    path(_QUESTION + "kind/", builder.question_kind, name="question_kind"),
    path(_QUESTION + "delete/", builder.question_delete, name="question_delete"),
    path(_QUESTION + "move/", builder.question_move, name="question_move"),
    path(_CRITERIA, builder.criteria, name="criteria"),
    path(_CRITERIA + "new/", builder.criterion_create, name="criterion_create"),
    path(_CRITERIA + "copy/", builder.criteria_copy, name="criteria_copy"),
    path(_CRITERION + "edit/", builder.criterion_edit, name="criterion_edit"),
    path(_CRITERION + "delete/", builder.criterion_delete, name="criterion_delete"),
    path(_CRITERION + "move/", builder.criterion_move, name="criterion_move"),
]
