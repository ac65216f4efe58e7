import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.changes import actor
from projects.admin.desk import desk_url
from projects.fetching import FetchError, html_to_article
from projects.ingestion import ingest_source, ingest_url, store_source
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Store an article (a plain-text or HTML file, or an http(s) URL) as a source, extract its facts "
        "and record them as proposed claims on the project it is about (or on a new draft project)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file_or_url")
        parser.add_argument("--project", metavar="SLUG", help="Attach the claims to this project.")
        parser.add_argument("--url", help="The article's address, when ingesting a file.")
        parser.add_argument("--title", default="")
        parser.add_argument("--publisher", default="")
        parser.add_argument("--published-on", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD")
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args, file_or_url, project, url, title, publisher, published_on, format, **options):
        target = None
        if project:
            target = Project.objects.filter(slug=project).first()
            if target is None:
                raise CommandError(f"No project with the slug “{project}”.")
        with actor(source="command"):
            try:
                if file_or_url.startswith(("http://", "https://")):
                    result = ingest_url(file_or_url, project=target)
                else:
                    source = store_source(
                        text=self.read_article(Path(file_or_url)),
                        url=url,
                        title=title,
                        publisher=publisher,
                        published_on=published_on,
                    )
                    result = ingest_source(source=source, project=target)
            except FetchError as exc:
                raise CommandError(str(exc)) from exc
        summary = {
            "source": {"id": result.source.pk, "title": result.source.title, "url": result.source.url},
            # Where to review what was read: the source's page on the review desk.
            "review": desk_url(result.source),
            "project": {"id": result.project.pk, "slug": result.project.slug, "name": result.project.name},
            "project_created": result.project_created,
            "matched_by": result.match_reason,
            "language": result.extraction.language,
            "claims": _claims(result),
            # The other projects of a roundup, each with its own claims.
            "other_projects": [
                {
                    "project": {"id": other.project.pk, "slug": other.project.slug, "name": other.project.name},
                    "project_created": other.project_created,
                    "matched_by": other.match_reason,
                    "claims": _claims(other),
                }
                for other in result.others
            ],
            "phases": [str(phase) for phase in result.phases],
            "relationships": [
                f"{r.get_kind_display()}: {r.from_organization.name}, {r.to_organization.name}"
                for r in result.relationships
            ],
            "indicators": [indicator.name for indicator in result.indicators],
        }
        if format == "json":
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
            return
        self.stdout.write(f"Source #{result.source.pk}: {result.source.title}")
        for part in (result, *result.others):
            verb = "proposed new draft project" if part.project_created else f"matched by {part.match_reason}"
            self.stdout.write(f"Project: {part.project.name} ({verb})")
            self.stdout.write(f"{len(part.claims)} proposed claims, {len(part.conflicts)} in conflict:")
            for claim in part.claims:
                flag = "  CONFLICT" if claim.in_conflict else ""
                self.stdout.write(f"  {claim.get_attribute_display()}: {claim.display_value}{flag}")
        for line in summary["relationships"]:
            self.stdout.write(f"Relationship proposed: {line}")
        for line in summary["indicators"]:
            self.stdout.write(f"Indicator proposed: {line}")
        self.stdout.write(f"Review them on the desk: {summary['review']}")

    def read_article(self, path: Path) -> str:
        try:
            content = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text.") from None
        if path.suffix.lower() in (".html", ".htm"):
            try:
                return html_to_article(path.resolve().as_uri(), content).text
            except FetchError as exc:
                raise CommandError(str(exc)) from exc
        return content


def _claims(result) -> list[dict]:
    return [
        {"id": c.pk, "attribute": c.attribute, "value": c.display_value, "in_conflict": c.in_conflict}
        for c in result.claims
    ]
