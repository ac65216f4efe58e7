"""The one write path: the admin, the API, imports, ingestion, the demo loader, revert and
restore all call these functions, and no tracked record is saved or deleted any other way
(see ``core.writes``). Each is atomic, validates with the model's rules, and recomputes
what the write implies once, at its end (``derived.refresh_project``)."""

from projects.services.base import REVIEW_PERMISSION, check_version, may_review
from projects.services.bulk import projects_import
from projects.services.claims import (
    CLAIM_WORDING_FIELDS,
    claim_accept,
    claim_create,
    claim_delete,
    claim_reject,
    claim_revert,
    claim_set_headline,
    claim_update,
)
from projects.services.derived import refresh_project
from projects.services.merge import organization_merge, project_merge
from projects.services.projects import (
    project_create,
    project_delete,
    project_mark_verified,
    project_update,
    project_use_sources,
)
from projects.services.records import record_delete, record_restore, record_save

__all__ = [
    "CLAIM_WORDING_FIELDS",
    "REVIEW_PERMISSION",
    "check_version",
    "claim_accept",
    "claim_create",
    "claim_delete",
    "claim_reject",
    "claim_revert",
    "claim_set_headline",
    "claim_update",
    "may_review",
    "organization_merge",
    "project_create",
    "project_delete",
    "project_mark_verified",
    "project_merge",
    "project_update",
    "project_use_sources",
    "projects_import",
    "record_delete",
    "record_restore",
    "record_save",
    "refresh_project",
]
