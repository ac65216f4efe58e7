"""The bulk import (``services.projects_import``) against the per-row services it replaces for files.

Each comparison runs the same rows twice in one test, once row by row through ``project_create`` /
``project_update`` (as the import did before it was set-based) and once through the bulk service,
and compares what is left: the errors, the records, their derived values and their change log.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core import changes
from core.changes import actor
from core.models import ConcurrentEditError, ObjectChange
from projects import choices, services
from projects.integrity import violations
from projects.models import PROJECT_FIELDS, GridConnection, Project, ProjectStatusChange
from projects.search import search, stale_search_documents
from projects.services.bulk import ImportRolledBack, InvalidRow
from tests.factories import ProjectFactory, SubstationFactory, UserFactory, make

pytestmark = pytest.mark.django_db


def row_by_row(rows, key="slug"):
    """The import as it was: each row through the per-row services in its own savepoint."""
    errors = {}
    existing = Project.objects.in_bulk([row[key] for row in rows if row.get(key)], field_name=key)
    for number, row in enumerate(rows, start=1):
        data = {name: value for name, value in row.items() if name != "version"}
        project = existing.get(row.get(key)) if row.get(key) else None
        try:
            with transaction.atomic():
                if project is None:
                    services.project_create(data=data)
                else:
                    version = row.get("version")
                    expected = int(version) if version else None
                    services.project_update(project=project, data=data, expected_version=expected)
        except ValidationError as error:
            errors[number] = error.message_dict
        except ConcurrentEditError as error:
            errors[number] = {"version": [str(error)]}
    return errors


def bulk(rows, **options):
    try:
        return services.projects_import(rows=rows, **options).errors
    except ImportRolledBack as rolled_back:
        return rolled_back.result.errors


def outcome() -> dict:
    """What an import leaves, without the IDs and times that differ between two runs."""

    def data(values):
        return None if values is None else {k: v for k, v in values.items() if k not in ("id", "project_id")}

    projects = {
        p.slug: (
            {name: changes.to_json_value(getattr(p, name)) for name in PROJECT_FIELDS},
            p.typed_by_hand,
            p.version,
            str(p.search_vector),
        )
        for p in Project._base_manager.all()
    }
    steps = sorted(
        (s.project.slug, s.status, s.date, s.date_precision, s.source_id, s.claim_id)
        for s in ProjectStatusChange._base_manager.select_related("project")
    )
    logged = sorted(
        (
            c.content_type.model,
            c.action,
            c.object_repr,
            c.source,
            c.user_id,
            c.parent_content_type_id is not None,
            json.dumps(data(c.prechange_data), sort_keys=True),
            json.dumps(data(c.postchange_data), sort_keys=True),
            tuple(c.changed_fields),
        )
        for c in ObjectChange.objects.all()
    )
    distances = sorted(GridConnection._base_manager.values_list("project__slug", "distance_km"))
    return {"projects": projects, "steps": steps, "changes": logged, "distances": distances}


def both_ways(rows, **options):
    """(errors, outcome) row by row, rolled back, then (errors, outcome) through the bulk service."""
    with transaction.atomic(), actor(None, source="import"):
        one = (row_by_row(rows), outcome())
        transaction.set_rollback(True)
    with actor(None, source="import"):
        other = (bulk(rows, **options), outcome())
    return one, other


BASE = {"name": "Fouju campus", "country": "FR", "status": "planning"}

BAD_ROWS = {
    "negative capacity and half a site": {"capacity_mw": Decimal("-5"), "latitude": 48.5},
    "investment without currency": {"investment_amount": Decimal("10")},
    "currency in lower case": {"investment_amount": Decimal("10"), "investment_currency": "eur"},
    "operation before announcement": {"announced_on": datetime.date(2030, 5, 1), "operational_year": 2028},
    "unknown status": {"status": "dreaming"},
    "unknown country": {"country": "XX"},
    "no name": {"name": ""},
    "name too long": {"name": "x" * 201},
    "latitude out of range": {"latitude": 95.0, "longitude": 3.0},
    "too many digits": {"capacity_mw": Decimal("123456789.5")},
    "year out of range": {"operational_year": 2200},
    "slug not a slug": {"slug": "not a slug!"},
    "slug of digits alone": {"slug": "2025"},
    "aliases not a list": {"aliases": "one name"},
    "everything at once": {"name": "", "status": "dreaming", "capacity_mw": Decimal("-1"), "latitude": 50.0},
}


@pytest.mark.parametrize("bad", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_new_row_gets_the_errors_the_per_row_service_gives(bad):
    rows = [{"name": "Fine campus"}, {**BASE, **bad}, {"name": "Fine campus"}]
    (errors, _), (bulk_errors, _) = both_ways(rows)
    assert list(errors) == [2]
    assert bulk_errors == errors
    assert not Project.objects.exists()  # nothing was kept


@pytest.mark.parametrize(
    "bad", [b for b in BAD_ROWS.values() if "slug" not in b], ids=[k for k, b in BAD_ROWS.items() if "slug" not in b]
)
def test_a_bad_update_gets_the_errors_the_per_row_service_gives(bad):
    project = ProjectFactory(name="Existing campus")
    rows = [{"slug": project.slug, **BASE, **bad}]
    (errors, _), (bulk_errors, _) = both_ways(rows)
    assert list(errors) == [1]
    assert bulk_errors == errors


def test_taken_slugs_and_stale_versions_get_the_same_errors():
    taken = ProjectFactory(name="Taken campus")
    stale = taken.version
    services.project_update(project=taken, data={"description": "Edited since the export."})
    rows = [
        {"name": "Campus", "slug": "campus"},
        {"name": "Campus", "slug": "campus"},  # the slug the row before took
        {"name": "Campus"},  # made from the name: the next free one
        {"slug": taken.slug, "capacity_mw": Decimal("20"), "version": stale},  # edited since
        {"name": "Other", "slug": "campus-2"},  # the slug the third row made
    ]
    (errors, _), (bulk_errors, _) = both_ways(rows)
    assert set(errors) == {2, 4, 5}
    assert bulk_errors == errors


def test_new_projects_get_what_project_create_gives_them():
    make(Project, name="Campus")  # the first slug made from the name is taken
    rows = [
        {
            "name": "Campus",
            "capacity_mw": Decimal("30"),
            "status": "operational",
            "announced_on": datetime.date(2024, 3, 2),
        },
        {"name": "Campus", "announced_on": datetime.date(2025, 1, 1), "announced_precision": "year"},
        {"name": "Campus 2"},  # its slug, campus-2, is made before the row after asks for it
        {"name": "Campus", "investment_amount": Decimal("5.5"), "investment_currency": "EUR", "country": "FR"},
        {"name": "Typed slug", "slug": "campus-9"},
        {"name": "Campus"},
        {"name": "Éléphant Ø"},
        {"name": "---"},
        {"name": "2025"},  # digits alone are no slug: 2025-2
        {"name": "Fouju", "aliases": ["Fouju DC", "Le campus"], "latitude": 48.58, "longitude": 2.77},
    ]
    (errors, per_row), (bulk_errors, after_bulk) = both_ways(rows)
    assert errors == bulk_errors == {}
    assert after_bulk == per_row
    slugs = set(after_bulk["projects"])
    assert {"campus", "campus-2", "campus-2-2", "campus-3", "campus-4", "campus-9", "elephant", "record"} <= slugs
    assert "2025-2" in slugs
    assert after_bulk["projects"]["campus-2"][1] == ["announced_on", "capacity_mw", "status"]  # typed by hand
    assert ("campus-2", "operational", datetime.date(2024, 3, 2), "day", None, None) in after_bulk["steps"]


def test_updates_get_what_project_update_gives_them(demo):
    """Figures typed by hand against a project's sources, a new status dated by its claim or today, a
    site moved with its grid distances measured again, two rows for one project one after the other."""
    plain = ProjectFactory(name="Plain campus", capacity_mw=Decimal("10"))
    connected = ProjectFactory(name="Connected campus")
    make(GridConnection, project=connected, substation=SubstationFactory())
    rows = [
        {"slug": demo.slug, "capacity_mw": Decimal("750"), "status": "construction", "description": "Checked."},
        {"slug": plain.slug, "capacity_mw": None, "status": "operational", "version": plain.version},
        {"slug": connected.slug, "latitude": 50.5, "longitude": 3.1},
        {"slug": plain.slug, "capacity_mw": Decimal("12"), "version": plain.version + 1},
        {"slug": demo.slug, "capacity_mw": demo.capacity_mw},  # back to what its sources say
        {"slug": connected.slug, "name": "Connected campus"},  # unchanged
        {"name": "New campus"},
    ]
    (errors, per_row), (bulk_errors, after_bulk) = both_ways(rows)
    assert errors == bulk_errors == {}
    assert after_bulk == per_row
    assert list(violations()) == []


def stored_columns() -> dict:
    """Every column of the projects, status steps and change log, as the database holds them, without
    the IDs and times that differ between two runs (the times are checked to be those of the write)."""
    from django.utils import timezone

    def plain(row, ids=("id", "project_id", "object_id", "parent_object_id", "request_id")):
        for name in ("created", "last_updated", "time"):
            if name in row:
                assert abs(row.pop(name) - timezone.now()) < datetime.timedelta(minutes=5)
        return {name: value for name, value in row.items() if name not in ids}

    projects = [plain(row) for row in Project._base_manager.order_by("slug").values()]
    for row in projects:
        row["search_vector"] = str(row["search_vector"])
    steps = [plain(row) for row in ProjectStatusChange._base_manager.order_by("project__slug", "id").values()]
    logged = [plain(row) for row in ObjectChange.objects.order_by("content_type_id", "object_repr", "id").values()]
    for row in logged:
        row["postchange_data"] = plain(row["postchange_data"])
    return {"projects": projects, "steps": steps, "changes": logged}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_new_records_written_by_copy_are_those_bulk_create_writes(monkeypatch):
    from projects.services import inserts

    rows = [
        {
            "name": "Every column",
            "aliases": ["EC1", 'Campus \\ tab\t and quote "', "Ligne\nnouvelle"],
            "description": "Tab\there, a backslash \\ and a new line\n.",
            "kind": "hyperscale",
            "status": "construction",
            "country": "FR",
            "region": "Hauts-de-France",
            "municipality": "Lille",
            "address": "1 rue de l'Industrie",
            "latitude": 50.62925,
            "longitude": 3.057256,
            "location_precision": "site",
            "site_area_ha": Decimal("12.50"),
            "floor_area_m2": Decimal("12000"),
            "former_use": "steelworks",
            "capacity_mw": Decimal("120.5"),
            "capacity_basis": "it",
            "investment_amount": Decimal("1500000000"),
            "investment_currency": "EUR",
            "investment_year": 2024,
            "jobs_permanent": 50,
            "jobs_construction": 800,
            "announced_on": datetime.date(2024, 5, 2),
            "announced_precision": "month",
            "operational_year": 2027,
            "last_verified_on": datetime.date(2025, 1, 3),
        },
        {"name": "Few columns"},
        {"name": "Few columns"},
    ]
    importer = UserFactory(username="importer")
    with transaction.atomic(), actor(importer, source="import"):
        services.projects_import(rows=rows)
        copied = stored_columns()
        transaction.set_rollback(True)
    monkeypatch.setattr(inserts, "copies", lambda using: False)
    with actor(importer, source="import"):
        services.projects_import(rows=rows)
    assert stored_columns() == copied
    assert [row["slug"] for row in copied["projects"]] == ["every-column", "few-columns", "few-columns-2"]
    assert len(copied["steps"]) == 3 and len(copied["changes"]) == 6
    assert all(row["search_vector"] not in ("", "None") for row in copied["projects"])


def test_skip_invalid_keeps_the_good_rows_and_reports_the_bad():
    rows = [{"name": "Good one"}, {"name": "Bad one", "capacity_mw": Decimal("-1")}, {"name": "Good two"}]
    result = services.projects_import(rows=rows, skip_invalid=True)
    assert result.created == 2 and list(result.errors) == [2]
    assert sorted(Project.objects.values_list("slug", flat=True)) == ["good-one", "good-two"]


def test_a_dry_run_reports_and_writes_nothing():
    result = services.projects_import(rows=[{"name": "Campus"}, {"name": "Campus"}], dry_run=True)
    assert result.created == 2 and not result.errors
    assert not Project.objects.exists() and not ObjectChange.objects.exists()


def test_rows_that_could_not_be_read_are_errors_of_their_row_and_roll_back():
    rows = [{"name": "Good"}, InvalidRow({"capacity_mw": ["“lots” is not a number."]}), None, {"name": "Good"}]
    with pytest.raises(ImportRolledBack) as rolled_back:
        services.projects_import(rows=rows)
    assert rolled_back.value.result.errors == {2: {"capacity_mw": ["“lots” is not a number."]}}
    assert rolled_back.value.result.rows == 4
    assert not Project.objects.exists()


def test_check_integrity_is_clean_after_a_bulk_import(demo, capsys):
    rows = [{"name": f"Imported {n % 40}", "capacity_mw": Decimal(n), "status": "planning"} for n in range(250)]
    rows += [{"slug": demo.slug, "capacity_mw": Decimal("999"), "status": "operational"}]
    with actor(UserFactory(), source="import"):
        result = services.projects_import(rows=rows, chunk_size=100)
    assert result.created == 250 and result.updated == 1
    call_command("check_integrity")
    assert "No integrity violation" in capsys.readouterr().out
    assert stale_search_documents() == []  # each imported project is found by text search
    assert Project.objects.filter(pk__in=search(Project.objects.all(), "imported 7").values("pk")).count() == 7
    created = ObjectChange.objects.filter(content_type__model="project", action="create", source="import")
    assert created.count() == 250
    assert ObjectChange.objects.filter(content_type__model="projectstatuschange", action="create").count() >= 250


def queries(rows, **options) -> int:
    with CaptureQueriesContext(connection) as captured:
        services.projects_import(rows=rows, **options)
    return len(captured.captured_queries)


@pytest.mark.parametrize("kind", ["new", "updates"])
def test_queries_per_chunk_do_not_grow_with_its_rows(kind):
    def rows(count, tag):
        if kind == "new":
            return [
                {"name": f"{tag} {n}", "capacity_mw": Decimal(n), "latitude": 48.0, "longitude": 2.0}
                for n in range(count)
            ]
        projects = [ProjectFactory(name=f"{tag} {n}") for n in range(count)]
        return [
            {"slug": p.slug, "capacity_mw": Decimal(n + 1), "status": "operational"} for n, p in enumerate(projects)
        ]

    small, large = rows(5, "Small"), rows(40, "Large")
    assert queries(small, chunk_size=50) == queries(large, chunk_size=50)
    # Two chunks cost two chunks' queries (the transaction's own are counted once).
    twice = rows(40, "Twice")
    one = queries(rows(20, "Once"), chunk_size=20)
    assert queries(twice, chunk_size=20) <= 2 * one


def test_a_chunk_asks_the_check_constraints_once():
    rows = [{"name": f"Campus {n}", "capacity_mw": Decimal(n)} for n in range(30)]
    with CaptureQueriesContext(connection) as captured:
        services.projects_import(rows=rows)
    checks = [q for q in captured.captured_queries if "COALESCE" in q["sql"] and "capacity_mw" in q["sql"]]
    assert len(checks) == 1


def test_check_constraints_of_a_batch_are_those_of_each_record_alone():
    records = [
        Project(name="a", capacity_mw=Decimal("-1")),
        Project(name="b", latitude=10.0),
        Project(name="c", investment_amount=Decimal("1"), investment_currency="eur"),
        Project(name="d", operational_year=2020, announced_on=datetime.date(2021, 1, 1)),
        Project(name="e", latitude=100.0, longitude=200.0, site_area_ha=Decimal("-2"), floor_area_m2=Decimal("-3")),
        Project(name="f"),
    ]
    excludes = [set(), {"longitude"}, set(), {"operational_year"}, {"latitude"}, set()]
    checks = [c for c in Project._meta.constraints if c.__class__.__name__ == "CheckConstraint"]
    alone = [
        record._failed_checks(checks, exclude, "default") for record, exclude in zip(records, excludes, strict=True)
    ]
    assert Project.failed_checks_of(records, excludes) == alone
    assert [len(failed) for failed in alone] == [1, 0, 1, 0, 3, 0]


def test_the_change_log_of_a_bulk_write_is_that_of_single_writes():
    project = ProjectFactory(name="Logged campus")
    step = ProjectStatusChange._base_manager.get(project=project)
    with actor(UserFactory(username="reporter"), source="import"):
        for record in (project, step):
            after = changes.serialize(record)
            (many,) = changes.build_changes([record], ObjectChange.Action.UPDATE, [{"name": "Before"}], [after])
            one = changes.build_change(record, ObjectChange.Action.UPDATE, {"name": "Before"}, after)
            fields = [f.attname for f in ObjectChange._meta.concrete_fields if f.attname not in ("id", "time")]
            assert [getattr(many, name) for name in fields] == [getattr(one, name) for name in fields]


def test_rows_in_french_get_their_messages_in_french():
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ImportRolledBack) as rolled_back:
        services.projects_import(rows=[{"name": ""}])
    assert rolled_back.value.result.errors[1]["name"] == ["Ce champ ne peut pas être vide."]


def test_the_first_status_step_is_dated_like_project_create_dates_it():
    services.projects_import(rows=[{"name": "Undated"}, {"name": "Dated", "announced_on": datetime.date(2023, 4, 1)}])
    steps = dict(ProjectStatusChange._base_manager.values_list("project__slug", "date"))
    assert steps == {"undated": datetime.date.today(), "dated": datetime.date(2023, 4, 1)}
    assert Project.objects.get(slug="dated").status == choices.ProjectStatus.ANNOUNCED


def test_a_slug_taken_by_another_writer_meanwhile_is_chosen_again(monkeypatch):
    """A same-name project committed between the chunk's slug choice and its insert: the chunk takes the next."""
    from projects.services import bulk as bulk_service

    planned = bulk_service._plan

    def plan_then_lose_the_race(chunk, state, key, ahead=True):
        plan = planned(chunk, state, key, ahead)
        if ahead:  # the first plan only: another writer takes its slug before the insert
            services.project_create(data={"name": "Other writer", "slug": plan.creates[0].project.slug})
        return plan

    monkeypatch.setattr(bulk_service, "_plan", plan_then_lose_the_race)
    result = services.projects_import(rows=[{"name": "Raced campus"}, {"name": "Calm campus"}])
    assert result.created == 2 and not result.errors
    assert set(Project.objects.values_list("slug", "name")) == {
        ("raced-campus", "Other writer"),
        ("raced-campus-2", "Raced campus"),
        ("calm-campus", "Calm campus"),
    }
    assert ProjectStatusChange._base_manager.count() == 3


def test_rows_updating_a_sourced_project_go_through_project_update(demo):
    """Its claims decide what the edit implies: the same errors, the same records, row by row."""
    stale = demo.version
    services.project_update(project=demo, data={"description": "Edited since the export."})
    rows = [
        {"slug": demo.slug, "capacity_mw": Decimal("-5"), "latitude": 48.5},  # refused by the model's rules
        {"name": "New campus"},
        {"slug": demo.slug, "jobs_permanent": 12, "version": stale},  # edited since
    ]
    (errors, per_row), (bulk_errors, after_bulk) = both_ways(rows)
    assert set(errors) == {1, 3}
    assert bulk_errors == errors
    rows = [{"slug": demo.slug, "status": "construction", "capacity_mw": Decimal("750")}, {"name": "Other campus"}]
    (errors, per_row), (bulk_errors, after_bulk) = both_ways(rows)
    assert errors == bulk_errors == {}
    assert after_bulk == per_row
    assert list(violations()) == []
