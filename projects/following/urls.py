from django.urls import path

from projects.following import views

app_name = "following"

urlpatterns = [
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", views.LogoutView.as_view(), name="logout"),
    path("account/notifications/", views.notifications, name="notifications"),
    path("account/notifications/read/", views.mark_read, name="mark-read"),
    path("account/digest/", views.digest, name="digest"),
    path("account/follows/", views.follow, name="follow"),
    path("account/follows/<int:pk>/delete/", views.unfollow, name="unfollow"),
    path("projects/<slug:slug>/correction/", views.correction, name="correction"),
    path("projects/<slug:slug>/correction/sent/", views.correction_sent, name="correction-sent"),
]
