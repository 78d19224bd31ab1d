from django.urls import path

from ..views import answers

urlpatterns = [
    path(
        "applications/<str:reference>/sections/<int:section_id>/",
        answers.section,
        name="section",
    ),
    path(
        "applications/<str:reference>/sections/<int:section_id>/autosave/",
        answers.section_autosave,
        name="section_autosave",
    ),
    path(
        "applications/<str:reference>/answers/<int:question_id>/file/",
        answers.answer_file,
        name="answer_file",
    ),
    path(
        "applications/<str:reference>/answers/<int:question_id>/file/delete/",
        answers.answer_file_delete,
        name="answer_file_delete",
    ),
]
