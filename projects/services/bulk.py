"""Many projects at once (``manage.py import_projects``, the admin's import): what
``project_create`` and ``project_update`` do for one row, done for a chunk of rows at a time.

A chunk costs the same few queries whatever number of rows it holds: the projects it
updates are read and locked together with their claims; each row is checked in Python
with the model's own rules (``clean_fields`` as ``services.rules`` asks it, ``clean``), the
check constraints of the whole chunk in one query (``TrackedModel.failed_checks_of``) and the slugs against the
database and the rows before them together; new records and their change log are written by
COPY on PostgreSQL (``services.inserts``; ``bulk_create`` elsewhere), updates with ``bulk_update``
(the change log of new records built by a second thread while the next chunk is written).
A large file's rows arrive read and checked by a second process (``projects.import_worker``).

A bad row gets the errors the same edit gets alone through the per-row services, by
field. What a write implies is computed by the services' own functions: the slug made
from the name (the next free one), the figures typed by hand, the first status step of a
new project, a dated step when an update changes the status, the grid distances when it
moves the site, its text-search document. A row updating a project that has claims goes
through ``project_update`` itself, in a savepoint of its own: its headline claims have a say
in what the edit implies (which figures are typed by hand, its status step's date, its grid
connections), so such rows are written one by one.

The import is one transaction: with any error nothing is kept (``ImportRolledBack``), unless
``skip_invalid``, which keeps the valid rows and reports the others.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Q

from core.models import ConcurrentEditError
from core.writes import service
from projects import attributes, search
from projects.models import Claim, GridConnection, Project, ProjectStatusChange
from projects.services import inserts, rules
from projects.services.base import SLUG_ATTEMPTS, _settled_fields, apply, check_version
from projects.services.derived import first_status_step, refresh_distances, status_step
from projects.services.merge import remember_renames
from projects.services.projects import DERIVED_FIELDS, _mark_typed, project_update

CHUNK_SIZE = 1000
SITE_FIELDS = frozenset({"latitude", "longitude"})


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # row number (1 = first data row) -> {field: [messages]}
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    dry_run: bool = False


@dataclass(frozen=True)
class InvalidRow:
    """A row of a file that could not be read into values (a cell that is not a number):
    reported with the others' errors, never written."""

    errors: dict[str, list[str]]


@dataclass
class PreparedRow:
    """A row read and checked ahead (``prepared``, in a second process for a large file): its values, and
    the new project they make when no project has the row's key, with that project's errors."""

    data: dict
    project: Project
    exclude: set[str]
    errors: dict[str, list[tuple[str, str | None]]]  # field -> [(message, code)]
    made_slug: bool
    step: ProjectStatusChange | None = None  # its first status step, checked, when the project is valid so far


def prepared(rows: Iterable[dict | InvalidRow | None]) -> Iterator[dict | InvalidRow | PreparedRow | None]:
    """Each row with the first half of ``project_create`` done: what needs no database, for rows read ahead."""
    for row in rows:
        if row is None or isinstance(row, InvalidRow):
            yield row
            continue
        entry = _prepare_create(0, {name: value for name, value in row.items() if name != "version"})
        errors = {name: [(str(m), e.code) for e in found for m in e] for name, found in entry.errors.items()}
        if not entry.errors:
            entry.step = first_status_step(entry.project)
            _check_step(entry)
        yield PreparedRow(row, entry.project, entry.exclude, errors, entry.made_slug, entry.step)


class ImportRolledBack(Exception):
    def __init__(self, result: ImportResult):
        self.result = result
        super().__init__(f"{len(result.errors)} rows have errors; nothing was imported.")


class _DryRunDone(Exception):
    def __init__(self, result: ImportResult):
        self.result = result


def projects_import(
    *,
    rows: Iterable[dict | InvalidRow | None],
    user=None,
    key: str = "slug",
    skip_invalid: bool = False,
    dry_run: bool = False,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Create or update one project per row (matched on ``key``); all rows or none.

    ``rows`` holds field values as ``project_create`` takes them, with an optional ``version``
    (the one an export was made at: a project edited since is refused), and is read once,
    chunk by chunk; ``None`` is a blank row, counted and skipped. ``skip_invalid``: write
    the valid rows, report the others in ``errors``. ``dry_run``: do and check everything,
    then roll it back. ``progress`` is called with the result so far after each chunk.
    """
    try:
        return _import(
            rows=rows,
            user=user,
            key=key,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            chunk_size=chunk_size,
            progress=progress,
        )
    except _DryRunDone as done:
        return done.result


@dataclass
class _State:
    result: ImportResult
    # The keys of the projects this import created: a later row naming one creates again (and is
    # refused as a taken slug), as it would when each row goes through project_create.
    created_keys: set = field(default_factory=set)
    claimed_slugs: set[str] = field(default_factory=set)


@service
def _import(*, rows, user, key, skip_invalid, dry_run, chunk_size, progress) -> ImportResult:
    state = _State(ImportResult(dry_run=dry_run))
    using = router.db_for_write(Project)
    with _bound_on_server(using), _ChangeLog(using) as log:
        for chunk in _chunks(rows, key, chunk_size):
            _import_chunk(chunk, state, key, log)
            state.result.rows = chunk[-1][0]
            if progress is not None:
                progress(state.result)
        log.write()
    if state.result.errors and not skip_invalid:
        raise ImportRolledBack(state.result)
    if dry_run:
        raise _DryRunDone(state.result)
    return state.result


@contextlib.contextmanager
def _bound_on_server(using: str):
    """The import's queries with their parameters bound by the server, lists sent in binary.

    Django's PostgreSQL backend quotes each parameter into the SQL text in Python by default; a bulk
    insert sends each column as one list, whose every element is then escaped for an array literal:
    some 190 µs for each change-log row, most of an import's time. Bound by the server (Django's
    ``server_side_binding`` option, here for this connection while the import runs) and in binary,
    the same lists cost a few µs.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor
    from psycopg.types.array import ListBinaryDumper

    class ImportCursor(ServerBindingCursor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.adapters.register_dumper(list, ListBinaryDumper)

    # Django inserts a chunk as one array per column only when it knows the type of each; a column of
    # a contrib type (a search vector) would have the chunk sent as one parameter per value instead.
    known = type(connection).data_types
    extra = {
        field.get_internal_type(): field.db_type(connection)
        for model in (Project, ProjectStatusChange)
        for field in model._meta.concrete_fields
        if field.get_internal_type() not in known and (field.db_type(connection) or "(").isidentifier()
    }
    connection.ensure_connection()
    raw = connection.connection
    factory, raw.cursor_factory = raw.cursor_factory, ImportCursor
    if extra:
        connection.data_types = {**known, **extra}
    try:
        yield
    finally:
        raw.cursor_factory = factory
        connection.__dict__.pop("data_types", None)


def _chunks(rows, key: str, size: int) -> Iterator[list[tuple[int, dict | InvalidRow | PreparedRow]]]:
    """Numbered rows in chunks; a key seen twice starts a new chunk, so that each chunk reads
    and writes a project once and a second row for it sees what the first one did."""
    chunk, keys = [], set()
    for number, row in enumerate(rows, start=1):
        if row is None:
            continue  # a blank line of the file: counted, so that the numbers stay the file's
        value = None if isinstance(row, InvalidRow) else _values(row).get(key)
        if chunk and (len(chunk) >= size or (value and value in keys)):
            yield chunk
            chunk, keys = [], set()
        chunk.append((number, row))
        if value:
            keys.add(value)
    if chunk:
        yield chunk


def _values(row: dict | PreparedRow) -> dict:
    return row.data if isinstance(row, PreparedRow) else row


def _import_chunk(chunk, state: _State, key: str, log: _ChangeLog):
    for attempt in range(SLUG_ATTEMPTS):
        # A chunk planned again starts from its rows' values: the projects prepared ahead have slugs by now.
        plan = _plan(chunk, state, key, ahead=attempt == 0)
        log.write()  # the chunk before's, outside this chunk's savepoint
        try:
            with transaction.atomic():
                plan.write(log.using)
        except IntegrityError:
            # A same-name create committed one of the slugs made here after they were chosen:
            # the chunk is planned again and takes the next free ones. Anything else is raised.
            made = [p.slug for p in plan.made_slugs]
            if attempt == SLUG_ATTEMPTS - 1 or not Project._base_manager.filter(slug__in=made).exists():
                raise
            continue
        plan.settle(state)
        log.build([row.project for row in plan.creates], [row.step for row in plan.steps])
        return


class _ChangeLog:
    """The change log of each chunk's new records, built by a second thread while the database writes
    the next chunk, and written before it (the rows ``TrackedQuerySet.bulk_create`` would log, built
    from the records' values by ``inserts.CreationLog`` and written by COPY on PostgreSQL).

    Building a chunk's change-log rows costs about as much CPU as the database's work on a chunk;
    done while the import waits for the database, the two overlap. The thread reads only the records
    (the content types are looked up before it starts) and writes nothing.
    """

    def __init__(self, using: str):
        self.using = using
        self.executor = None
        self.pending = None
        self.logs = {}

    def __enter__(self):
        self.logs = {model: inserts.CreationLog(model) for model in (Project, ProjectStatusChange)}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-change-log")
        return self

    def __exit__(self, *exc):
        if self.pending is not None:
            self.pending.cancel()
        self.executor.shutdown(wait=True)

    def build(self, *batches):
        """Start building the change log of these batches of new records (each of one model)."""
        batches = [(self.logs[type(batch[0])], batch) for batch in batches if batch]
        if batches:
            self.write()
            self.pending = self.executor.submit(contextvars.copy_context().run, _creations, batches)

    def write(self):
        """Write the change log built so far."""
        if self.pending is not None:
            built, self.pending = self.pending.result(), None
            inserts.write_creations(built, self.using)


def _creations(batches) -> list:
    return [row for log, records in batches for row in log.rows(records)]


@dataclass(eq=False)
class _Row:
    number: int
    project: Project
    adding: bool
    exclude: set[str] = field(default_factory=set)
    errors: dict = field(default_factory=dict)  # field -> [ValidationError]
    made_slug: bool = False
    changed: list[str] = field(default_factory=list)
    previous_status: str = ""
    previous_slug: str = ""
    step: ProjectStatusChange | None = None

    @property
    def site_moved(self) -> bool:
        return bool(SITE_FIELDS & set(self.changed))


@dataclass
class _Plan:
    creates: list[_Row] = field(default_factory=list)
    updates: list[_Row] = field(default_factory=list)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    unchanged: int = 0
    # Rows updating a project that has claims: (number, project, values, version), each through
    # project_update, whose claims have a say in what the edit implies.
    with_claims: list[tuple] = field(default_factory=list)
    updated_with_claims: int = 0
    key: str = "slug"

    @property
    def made_slugs(self) -> list[Project]:
        return [row.project for row in self.creates if row.made_slug]

    @property
    def steps(self) -> list[_Row]:
        return [row for row in (*self.creates, *self.updates) if row.step is not None]

    def write(self, using: str):
        """The chunk's writes; the change log of its new records is left to ``_ChangeLog``."""
        if self.creates:
            projects = [row.project for row in self.creates]
            # Each with its text-search document, as project_create gives it: computed for the chunk in one
            # query and inserted with the row, rather than every row rewritten after.
            for project, vector in zip(projects, search.documents(projects, using=using), strict=True):
                project.search_vector = vector
            inserts.insert(Project, projects, using)
        if self.updates:
            fields = sorted({name for row in self.updates for name in row.changed} | {"typed_by_hand"})
            Project.objects.bulk_update([row.project for row in self.updates], fields)
            # a project renamed by the file keeps answering at its former slug
            remember_renames([(row.project, row.previous_slug) for row in self.updates if "slug" in row.changed])
            self._refresh_distances([row.project for row in self.updates if row.site_moved])
            search.refresh_search([row.project.pk for row in self.updates])
        inserts.insert(ProjectStatusChange, [row.step for row in self.steps], using)
        for number, project, data, version in self.with_claims:
            # Its headline claims decide which figures the edit types by hand, date its status step and
            # connect its site: the edit goes through project_update, in a savepoint of its own.
            loaded = project.version
            try:
                with transaction.atomic():
                    project_update(project=project, data=data, expected_version=int(version) if version else None)
            except ValidationError as error:
                self.errors[number] = error.message_dict
            except ConcurrentEditError as error:
                self.errors[number] = {"version": [str(error)]}
            else:
                if project.version != loaded:
                    self.updated_with_claims += 1
                else:
                    self.unchanged += 1

    def _refresh_distances(self, projects: list[Project]):
        if not projects:
            return
        by_project = defaultdict(list)
        for connection in GridConnection._base_manager.filter(project__in=projects).select_related("substation"):
            by_project[connection.project_id].append(connection)
        for project in projects:
            refresh_distances(by_project.get(project.pk, []), project)

    def settle(self, state: _State):
        result = state.result
        result.created += len(self.creates)
        result.updated += len(self.updates) + self.updated_with_claims
        result.unchanged += self.unchanged
        result.errors.update(self.errors)
        for row in self.creates:
            state.created_keys.add(getattr(row.project, self.key))
            state.claimed_slugs.add(row.project.slug)


def _plan(chunk, state: _State, key: str, ahead: bool = True) -> _Plan:
    plan = _Plan(key=key)
    keys = {_values(row).get(key) for _n, row in chunk if not isinstance(row, InvalidRow) and _values(row).get(key)}
    keys -= state.created_keys
    existing = {}
    if keys:
        locked = Project._base_manager.select_for_update().filter(**{f"{key}__in": keys})
        existing = {getattr(project, key): project for project in locked}
    sourced = set()
    if existing:
        ids = [project.pk for project in existing.values()]
        sourced = set(Claim._base_manager.filter(project_id__in=ids).values_list("project_id", flat=True).distinct())

    rows: list[_Row] = []
    for number, row in chunk:
        if isinstance(row, InvalidRow):
            plan.errors[number] = dict(row.errors)
            continue
        ready, row = (row, row.data) if isinstance(row, PreparedRow) else (None, row)
        data = {name: value for name, value in row.items() if name != "version"}
        current = existing.get(row.get(key)) if row.get(key) else None
        if current is None:
            rows.append(_from_prepared(number, ready) if ready and ahead else _prepare_create(number, data))
            continue
        version = row.get("version")
        if current.pk in sourced:
            plan.with_claims.append((number, current, data, version))
            continue
        try:
            # Without a version, the edit applies to the project as it is (a second row for it too).
            check_version(current, int(version) if version else current.version)
        except ConcurrentEditError as error:
            plan.errors[number] = {"version": [str(error)]}
            continue
        prepared = _prepare_update(number, current, data)
        if prepared is None:
            plan.unchanged += 1
        else:
            rows.append(prepared)

    _check_constraints(rows)
    _settle_slugs(rows, state)
    for row in rows:
        needs_step = row.adding or _status_changed(row)
        if not row.errors and needs_step and row.step is None:  # (a row read ahead has its step)
            row.step = first_status_step(row.project) if row.adding else status_step(row.project, [], None)
            _check_step(row)
        if row.errors:
            plan.errors[row.number] = ValidationError(row.errors).message_dict
        else:
            (plan.creates if row.adding else plan.updates).append(row)
    return plan


def _prepare_create(number: int, data: dict) -> _Row:
    """``project_create``'s first half: the record, its figures typed by hand, the model's rules."""
    project = Project(**{name: value for name, value in data.items() if name not in DERIVED_FIELDS})
    _mark_typed(project, attributes.FIELD_ATTRIBUTE, {})
    made = not project.slug
    # As save_validated: a slug made from the name is checked when it is chosen, not before.
    exclude = {*_settled_fields(project), *(["slug"] if made else [])}
    row = _Row(number, project, adding=True, exclude=exclude, made_slug=made)
    row.errors = _clean(project, exclude)
    return row


def _from_prepared(number: int, ready: PreparedRow) -> _Row:
    row = _Row(number, ready.project, adding=True, exclude=set(ready.exclude), made_slug=ready.made_slug)
    row.step = ready.step
    row.errors = {
        name: [ValidationError(message, code=code) for message, code in found] for name, found in ready.errors.items()
    }
    return row


def _prepare_update(number: int, current: Project, data: dict) -> _Row | None:
    """``project_update``'s first half, on the locked record of a project without claims (so no
    headlines); None when the row changes nothing."""
    data = {name: value for name, value in data.items() if name not in DERIVED_FIELDS}
    changed = [name for name, value in data.items() if getattr(current, name) != value]
    if not changed:
        return None
    row = _Row(
        number, current, adding=False, changed=changed, previous_status=current.status, previous_slug=current.slug
    )
    apply(current, data)
    _mark_typed(current, changed, {})
    row.errors = _clean(current, set())
    return row


def _status_changed(row: _Row) -> bool:
    return row.project.status != row.previous_status


def _clean(instance, exclude: set[str]) -> dict:
    """``full_clean`` up to its database checks (unique slug and constraints come per chunk)."""
    errors = rules.clean_fields(instance, exclude)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    return errors


def _check_constraints(rows: list[_Row]):
    """Every row's check constraints in one query, leaving out the fields that already failed (as
    ``full_clean`` does)."""
    excludes = [row.exclude | {name for name in row.errors if name != NON_FIELD_ERRORS} for row in rows]
    for row, failed in zip(rows, Project.failed_checks_of([row.project for row in rows], excludes), strict=True):
        for constraint in failed:
            error = ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
            row.errors = error.update_error_dict(row.errors)


def _settle_slugs(rows: list[_Row], state: _State):
    """Unique slugs, row after row as the per-row services take them: a slug typed in the file must be
    free; one made from the name takes the first of ``name``, ``name-2``, ``name-3``... that is free,
    in the database and among the rows before it."""
    typed = {
        row.number: row.project.slug
        for row in rows
        if not row.made_slug
        and (row.adding or "slug" in row.changed)
        and "slug" not in row.errors
        and "slug" not in row.exclude
    }
    bases = {row.number: row.project.slug_base() for row in rows if row.made_slug}
    asked = set(typed.values()) | set(bases.values())
    taken = dict(Project._base_manager.filter(slug__in=asked).values_list("slug", "pk")) if asked else {}
    typed_slugs = set(typed.values())
    crowded = {
        base
        for base, count in Counter(bases.values()).items()
        if count > 1 or base in taken or base in state.claimed_slugs or base in typed_slugs
    }
    if crowded:
        numbered = functools.reduce(operator.or_, (Q(slug__startswith=f"{base}-") for base in crowded))
        taken.update(Project._base_manager.filter(numbered).values_list("slug", "pk"))
    claimed = set()
    for row in sorted(rows, key=lambda row: row.number):
        project = row.project
        if row.number in typed:
            owner = taken.get(project.slug)
            earlier = project.slug in state.claimed_slugs or project.slug in claimed
            if (owner is not None and owner != project.pk) or earlier:
                row.errors.setdefault("slug", []).append(project.unique_error_message(Project, ("slug",)))
        if row.errors:
            continue
        if row.made_slug:
            base = bases[row.number]
            slug, n = base, 2
            # As unique_slug(): never digits alone, which read as an ID in the API's addresses.
            while slug.isdigit() or slug in taken or slug in state.claimed_slugs or slug in claimed:
                slug, n = f"{base}-{n}", n + 1
            project.slug = slug
        claimed.add(project.slug)


def _check_step(row: _Row):
    """The status step is checked by the model's rules too; its project, new or locked, exists."""
    errors = _clean(row.step, {"project", "source", "claim"})
    if errors:
        row.errors = ValidationError(errors).update_error_dict(row.errors)
        row.step = None
