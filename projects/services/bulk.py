"""Many projects at once (a spreadsheet import), through the same services as one edit.

Each row is created or updated by ``project_create`` / ``project_update`` inside its own
savepoint, so a bad row gets exactly the errors the same edit gets alone, and the whole
import is one transaction: with any error nothing is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import ConcurrentEditError
from core.writes import service
from projects.models import Project
from projects.services.projects import project_create, project_update


@dataclass
class ImportResult:
    created: list[Project] = field(default_factory=list)
    updated: list[Project] = field(default_factory=list)
    # row number (1 = first data row) -> {field: [messages]}
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)


class ImportRolledBack(Exception):
    def __init__(self, result: ImportResult):
        self.result = result
        super().__init__(f"{len(result.errors)} rows have errors; nothing was imported.")


@service
def projects_import(*, rows: list[dict], user=None, key: str = "slug") -> ImportResult:
    """Create or update one project per row (matched on ``key``); all rows or none."""
    result = ImportResult()
    existing = Project.objects.in_bulk([row[key] for row in rows if row.get(key)], field_name=key)
    for number, row in enumerate(rows, start=1):
        data = {name: value for name, value in row.items() if name != "version"}
        project = existing.get(row.get(key)) if row.get(key) else None
        try:
            with transaction.atomic():
                if project is None:
                    result.created.append(project_create(data=data, user=user))
                else:
                    version = row.get("version")
                    result.updated.append(
                        project_update(
                            project=project, data=data, user=user, expected_version=int(version) if version else None
                        )
                    )
        except ValidationError as error:
            result.errors[number] = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        except ConcurrentEditError as error:
            result.errors[number] = {"version": [str(error)]}
    if result.errors:
        raise ImportRolledBack(result)
    return result
