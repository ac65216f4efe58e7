"""The projects app's models, one module per concern; every name is importable from here."""

from projects.models.base import (
    SluggedModel,
    aliases_field,
    backing_claim_field,
    coordinate_constraints,
    coordinate_fields,
    currency_validator,
    latitude_validators,
    longitude_validators,
    non_negative,
    validate_aliases,
    year_validators,
)
from projects.models.claims import UNIT_LABELS, Claim, values_agree, values_disagree
from projects.models.indicators import Indicator
from projects.models.organizations import Organization, OrganizationRelationship
from projects.models.parts import GridConnection, Milestone, Phase, ProjectRole, Substation
from projects.models.projects import PROJECT_FIELDS, Project, ProjectStatusChange
from projects.models.redirects import OrganizationRedirect, ProjectRedirect, RedirectReason
from projects.models.sources import Source

__all__ = [
    "PROJECT_FIELDS",
    "UNIT_LABELS",
    "Claim",
    "GridConnection",
    "Indicator",
    "Milestone",
    "Organization",
    "OrganizationRedirect",
    "OrganizationRelationship",
    "Phase",
    "Project",
    "ProjectRedirect",
    "ProjectRole",
    "ProjectStatusChange",
    "RedirectReason",
    "SluggedModel",
    "Source",
    "Substation",
    "aliases_field",
    "backing_claim_field",
    "coordinate_constraints",
    "coordinate_fields",
    "currency_validator",
    "latitude_validators",
    "longitude_validators",
    "non_negative",
    "validate_aliases",
    "values_agree",
    "values_disagree",
    "year_validators",
]
