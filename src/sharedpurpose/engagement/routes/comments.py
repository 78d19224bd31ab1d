from django.urls import URLPattern, URLResolver, path

from ..views import comments as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("comments/post/", views.comment_post, name="comment_post"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment_report"),
    path("comments/my-data/", views.my_comments_request, name="my_comments_request"),
    path("comments/my-data/<str:token>/", views.my_comments, name="my_comments"),
    path(
        "comments/my-data/<str:token>/export/",
        views.my_comments_export,
        name="my_comments_export",
    ),
    path("comments/my-data/<str:token>/erase/", views.my_comments_erase, name="my_comments_erase"),
    path("manage/comments/", views.moderation_queue, name="moderation_queue"),
    path("manage/comments/lock/", views.comments_lock, name="comments_lock"),
    path("manage/comments/<int:pk>/approve/", views.comment_approve, name="comment_approve"),
    path("manage/comments/<int:pk>/hide/", views.comment_hide, name="comment_hide"),
    path("manage/comments/<int:pk>/unhide/", views.comment_unhide, name="comment_unhide"),
    path("manage/comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("manage/comments/<int:pk>/answer/", views.comment_answer, name="comment_answer"),
    path("manage/settings/comments/", views.comment_settings, name="comment_settings"),
]
