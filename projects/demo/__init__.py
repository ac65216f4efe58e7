"""Demo records, loaded by ``manage.py load_demo`` from the JSON files in this folder.

Loading is idempotent: records are looked up by their natural keys (slug, name,
title) and only created when missing, so a second run writes nothing.
"""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from core.geo import geocode
from projects import services
from projects.models import (
    GridConnection,
    Indicator,
    Milestone,
    Organization,
    OrganizationRelationship,
    Project,
    ProjectRole,
    Source,
    Substation,
)

DEMO_DIR = Path(__file__).resolve().parent


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


class DemoLoader:
    def __init__(self):
        self.sources: dict[str, Source] = {}
        self.organizations: dict[str, Organization] = {}
        self.created = 0

    def _get_or_create(self, model, lookup: dict, defaults: dict):
        instance = model.objects.filter(**lookup).first()
        if instance is None:
            instance = services.record_save(instance=model(**lookup, **defaults))
            self.created += 1
        return instance

    @transaction.atomic
    def load(self, path: Path) -> int:
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data.get("sources", []):
            key = item.pop("key")
            item["published_on"] = _date(item.get("published_on"))
            self.sources[key] = self._get_or_create(Source, {"title": item.pop("title")}, item)
        for item in data.get("organizations", []):
            key = item.pop("key")
            self.organizations[key] = self._get_or_create(Organization, {"name": item.pop("name")}, item)
        for item in data.get("relationships", []):
            self._get_or_create(
                OrganizationRelationship,
                {
                    "from_organization": self.organizations[item["from"]],
                    "to_organization": self.organizations[item["to"]],
                    "kind": item["kind"],
                },
                {"purpose": item["purpose"], "source": self.sources[item["source"]], "quote": item["quote"]},
            )
        for item in data.get("substations", []):
            place = geocode(item["place"], item.get("country"))
            self._get_or_create(
                Substation,
                {"name": item["name"]},
                {
                    "country": item.get("country", ""),
                    "latitude": place.latitude if place else None,
                    "longitude": place.longitude if place else None,
                },
            )
        for item in data.get("projects", []):
            self.load_project(item)
        for item in data.get("indicators", []):
            self._get_or_create(
                Indicator,
                {"name": item["name"], "source": self.sources[item["source"]]},
                {
                    "value": Decimal(str(item["value"])),
                    "unit": item["unit"],
                    "scope": item.get("scope", ""),
                    "year": item.get("year"),
                    "is_forecast": item.get("is_forecast", False),
                    "stated_by": self.organizations.get(item.get("stated_by")),
                    "quote": item.get("quote", ""),
                },
            )
        return self.created

    def load_project(self, item: dict):
        project = Project.objects.filter(slug=item["slug"]).first()
        if project is not None:
            return project
        place = geocode(item["place"], item.get("country"))
        project = services.project_create(
            data={
                "name": item["name"],
                "slug": item["slug"],
                "aliases": item.get("aliases", []),
                "description": item.get("description", ""),
                "kind": item["kind"],
                "status": item["status"],
                "country": item.get("country", ""),
                "region": item.get("region", ""),
                "latitude": place.latitude if place else None,
                "longitude": place.longitude if place else None,
                "location_precision": item.get("location_precision", ""),
                "capacity_basis": item.get("capacity_basis", "unknown"),
            },
            status_date=_date(item.get("claims_as_of")),
        )
        self.created += 1
        for role in item.get("roles", []):
            self._get_or_create(
                ProjectRole,
                {
                    "project": project,
                    "role": role["role"],
                    "organization": self.organizations.get(role.get("organization")),
                },
                {
                    "undisclosed": role.get("undisclosed", False),
                    "note": role.get("note", ""),
                    "source": self.sources.get(role.get("source")),
                },
            )
        for milestone in item.get("milestones", []):
            self._get_or_create(
                Milestone,
                {"project": project, "kind": milestone["kind"]},
                {
                    "date": _date(milestone["date"]),
                    "date_precision": milestone["date_precision"],
                    "description": milestone.get("description", ""),
                    "source": self.sources.get(milestone.get("source")),
                },
            )
        for connection in item.get("grid_connections", []):
            substation = Substation.objects.get(name=connection["substation"])
            self._get_or_create(
                GridConnection,
                {"project": project, "substation": substation},
                {
                    "status": connection["status"],
                    "note": connection.get("note", ""),
                    "source": self.sources.get(connection.get("source")),
                },
            )
        as_of = _date(item.get("claims_as_of"))
        for claim in item.get("claims", []):
            claim = dict(claim)
            source = self.sources[claim.pop("source", item["claims_source"])]
            claim["value_date"] = _date(claim.get("value_date"))
            if "value_organization" in claim:
                claim["value_organization"] = self.organizations[claim["value_organization"]]
            services.claim_create(
                data={**claim, "project": project, "source": source, "status": "accepted", "as_of": as_of}
            )
            self.created += 1
        return project


def load_demo(paths=None) -> int:
    """Load every demo file; returns the number of records created (0 on a second run)."""
    loader = DemoLoader()
    for path in paths or sorted(DEMO_DIR.glob("*.json")):
        loader.load(path)
    return loader.created


__all__ = ["load_demo"]
