from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectKind(models.TextChoices):
    AI = "ai", _("AI")
    HYPERSCALE = "hyperscale", _("Hyperscale")
    COLOCATION = "colocation", _("Colocation")
    ENTERPRISE = "enterprise", _("Enterprise")
    EDGE = "edge", _("Edge")
    OTHER = "other", _("Other")


class ProjectStatus(models.TextChoices):
    """The lifecycle of a project, in order."""

    ANNOUNCED = "announced", _("Announced")
    PLANNING = "planning", _("Planning")
    PERMITTED = "permitted", _("Permitted")
    CONSTRUCTION = "construction", _("Under construction")
    PARTIALLY_OPERATIONAL = "partially_operational", _("Partially operational")
    OPERATIONAL = "operational", _("Operational")
    SHELVED = "shelved", _("Shelved")
    CANCELLED = "cancelled", _("Cancelled")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


class LocationPrecision(models.TextChoices):
    EXACT = "exact", _("Exact")
    SITE = "site", _("Site")
    MUNICIPALITY = "municipality", _("Municipality")
    REGION = "region", _("Region")
    COUNTRY = "country", _("Country")


class CapacityBasis(models.TextChoices):
    GROSS = "gross", _("Gross grid power")
    IT = "it", _("IT load")
    UNKNOWN = "unknown", _("Not stated")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class MilestoneKind(models.TextChoices):
    ANNOUNCED = "announced", _("Announced")
    PERMIT_FILED = "permit_filed", _("Permit filed")
    PERMIT_GRANTED = "permit_granted", _("Permit granted")
    CONSTRUCTION_START = "construction_start", _("Construction start")
    TARGET_OPERATION = "target_operation", _("Target operation")
    PHASE_ONLINE = "phase_online", _("Phase online")
    OPERATIONAL = "operational", _("Fully operational")
    SHELVED = "shelved", _("Shelved")
    CANCELLED = "cancelled", _("Cancelled")
    OTHER = "other", _("Other")


class RoleKind(models.TextChoices):
    DEVELOPER = "developer", _("Developer")
    OPERATOR = "operator", _("Operator")
    OWNER = "owner", _("Owner")
    INVESTOR = "investor", _("Investor")
    TENANT = "tenant", _("Tenant")
    BUILDER = "builder", _("Builder")
    PUBLIC_AUTHORITY = "public_authority", _("Public authority")
    GRID_OPERATOR = "grid_operator", _("Grid operator")


class OrganizationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    INVESTOR = "investor", _("Investor")
    PUBLIC_AUTHORITY = "public_authority", _("Public authority")
    GRID_OPERATOR = "grid_operator", _("Grid operator")
    UTILITY = "utility", _("Utility")
    ASSOCIATION = "association", _("Association")
    OTHER = "other", _("Other")


class RelationshipKind(models.TextChoices):
    PARTNERSHIP = "partnership", _("Partnership")
    JOINT_VENTURE = "joint_venture", _("Joint venture")
    ACQUISITION = "acquisition", _("Acquisition")
    INVESTMENT = "investment", _("Investment")
    SUBSIDIARY = "subsidiary", _("Subsidiary")
    SUPPLIER = "supplier", _("Supplier")
    PRODUCT = "product", _("Product or service")


class ConnectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    REQUESTED = "requested", _("Requested")
    AGREED = "agreed", _("Agreed")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    CONNECTED = "connected", _("Connected")
    UNKNOWN = "unknown", _("Unknown")


class ClaimStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ClaimOrigin(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    EXTRACTION = "extraction", _("Extracted from the source")
    IMPORT = "import", _("Imported")


class ValueKind(models.TextChoices):
    NUMBER = "number", _("Number")
    MONEY = "money", _("Amount of money")
    DATE = "date", _("Date")
    TEXT = "text", _("Text")
    ORGANIZATION = "organization", _("Organization")


class ClaimAttribute(models.TextChoices):
    """What a claim is about; most map onto one of the project's headline fields."""

    CAPACITY_MW = "capacity_mw", _("Capacity (MW)")
    INVESTMENT = "investment", _("Investment")
    JOBS_PERMANENT = "jobs_permanent", _("Permanent jobs")
    JOBS_CONSTRUCTION = "jobs_construction", _("Construction jobs")
    JOBS = "jobs", _("Jobs (kind not stated)")
    SITE_AREA_HA = "site_area_ha", _("Site area (ha)")
    FLOOR_AREA_M2 = "floor_area_m2", _("Floor area (m²)")
    ANNOUNCED_ON = "announced_on", _("Announcement date")
    OPERATIONAL_YEAR = "operational_year", _("Target year of operation")
    MUNICIPALITY = "municipality", _("Municipality")
    REGION = "region", _("Region")
    COUNTRY = "country", _("Country")
    SUBSTATION = "substation", _("Substation")
    FORMER_USE = "former_use", _("Former use of the site")
    STATUS = "status", _("Status")
    ORGANIZATION = "organization", _("Organization involved")
    GRID_POWER_MW = "grid_power_mw", _("Grid power requested or contracted (MW)")
    ENERGY_SOURCE = "energy_source", _("Energy source or supply contract")
    COOLING = "cooling", _("Cooling")
    WATER_USE_M3 = "water_use_m3", _("Water use (m³ a year)")
    PUE = "pue", _("Power usage effectiveness (PUE)")
    OTHER = "other", _("Other")


class ClaimScope(models.TextChoices):
    """What part of the project a figure is about: only like is compared with like."""

    PROJECT = "project", _("Whole project")
    PHASE = "phase", _("One phase")
    BUILDING = "building", _("One building or hall")
    EVENTUAL = "eventual", _("Eventual build-out")


class ClaimBound(models.TextChoices):
    """How the figure bounds the true value: "700 MW", "at least 700 MW", "up to 1 GW", "500 to 700 MW"."""

    EXACT = "exact", _("Exact")
    AT_LEAST = "at_least", _("At least")
    AT_MOST = "at_most", _("At most")
    RANGE = "range", _("Range")
