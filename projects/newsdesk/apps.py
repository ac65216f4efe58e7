from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsdeskConfig(AppConfig):
    name = "projects.newsdesk"
    label = "newsdesk"
    verbose_name = _("News desk")

    def ready(self):
        from core.writes import register_writer
        from projects.newsdesk import services, signals  # noqa: F401  (signals: the archive of each source's text)
        from projects.newsdesk.models import Feed

        register_writer(Feed, services.FeedWriter())
