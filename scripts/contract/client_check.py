"""A client generated from the served schema works as the schema promises (scripts/api_contract.sh).

openapi-python-client generates it from ``/api/schema/`` (no warning allowed); then every module
must import, and the client lists projects, creates one with a token, updates it with
``If-Match`` (and is refused with the stale tag), reads an error as the ``Error`` model, and
pages through the changes feed by its cursor until it finds both edits.

    CONTRACT_BASE_URL  the deployed-mode server, e.g. http://127.0.0.1:8000
    CONTRACT_TOKEN     a token of a user who may add and change projects
"""

import importlib
import os
import pkgutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

BASE_URL = os.environ["CONTRACT_BASE_URL"]
TOKEN = os.environ["CONTRACT_TOKEN"]
VENV_BIN = Path(sys.executable).parent
PACKAGE = "tracker_client"


def generate(directory: Path) -> None:
    config = directory / "config.yml"
    config.write_text(f"package_name_override: {PACKAGE}\n")
    result = subprocess.run(
        [
            VENV_BIN / "openapi-python-client",
            "generate",
            "--url",
            f"{BASE_URL}/api/schema/?format=json",
            "--meta",
            "none",
            "--config",
            config,
            "--output-path",
            directory / PACKAGE,
            "--fail-on-warning",
        ],
        # its post hooks lint and format the code with ruff: ours
        env={**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0 or "warning" in output.lower():
        sys.exit(f"openapi-python-client did not generate cleanly (exit {result.returncode}):\n{output}")


def import_every_module(directory: Path) -> int:
    sys.path.insert(0, str(directory))
    package = importlib.import_module(PACKAGE)
    names = [module.name for module in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.")]
    failures = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 -- every failure is reported, not only the first
            failures.append(f"{name}: {error!r}")
    if failures:
        sys.exit(f"{len(failures)} of {len(names)} generated modules fail to import:\n" + "\n".join(failures))
    return len(names)


def use_the_client() -> None:
    from tracker_client import AuthenticatedClient
    from tracker_client.api.changes import v1_changes_list
    from tracker_client.api.projects import v1_projects_create, v1_projects_list, v1_projects_partial_update
    from tracker_client.models import (
        Error,
        PaginatedChangeList,
        PaginatedProjectListList,
        PatchedProjectWriteRequest,
        ProjectDetail,
        ProjectWriteRequest,
    )
    from tracker_client.types import UNSET

    client = AuthenticatedClient(base_url=BASE_URL, token=TOKEN, prefix="Token", timeout=30)

    listed = v1_projects_list.sync(client=client, page_size=5)
    assert isinstance(listed, PaginatedProjectListList), listed
    assert listed.count and listed.results, "the demo's projects are listed"
    print(f"listed {len(listed.results)} of {listed.count} projects")

    created = v1_projects_create.sync_detailed(
        client=client, body=ProjectWriteRequest(name="Generated client campus", capacity_mw=120)
    )
    assert created.status_code == 201 and isinstance(created.parsed, ProjectDetail), created.content[:500]
    project, etag = created.parsed, created.headers["ETag"]
    print(f"created {project.slug} (ETag {etag})")

    updated = v1_projects_partial_update.sync_detailed(
        slug=project.slug, client=client, body=PatchedProjectWriteRequest(capacity_mw=150), if_match=etag
    )
    assert updated.status_code == 200 and isinstance(updated.parsed, ProjectDetail), updated.content[:500]
    assert updated.parsed.capacity_mw == 150 and updated.headers["ETag"] != etag
    print(f"updated it with If-Match: {updated.parsed.capacity_mw} MW")

    stale = v1_projects_partial_update.sync_detailed(
        slug=project.slug, client=client, body=PatchedProjectWriteRequest(capacity_mw=175), if_match=etag
    )
    assert stale.status_code == 412 and isinstance(stale.parsed, Error), stale.content[:500]
    refused = v1_projects_create.sync_detailed(
        client=client,
        body=ProjectWriteRequest(name="Late campus", announced_on=project.last_updated.date(), operational_year=1990),
    )
    assert refused.status_code == 422 and isinstance(refused.parsed, Error), refused.content[:500]
    print(f"the stale tag is refused ({stale.parsed.error.code}), a broken rule too ({refused.parsed.error.code})")

    actions, pages, cursor = [], 0, UNSET
    while True:
        feed = v1_changes_list.sync(client=client, cursor=cursor, page_size=20)
        assert isinstance(feed, PaginatedChangeList), feed
        pages += 1
        actions += [(change.object_id, change.action.value) for change in feed.results]
        if not feed.next_:  # "next" is a Python built-in: the generator names it next_
            break
        cursor = parse_qs(urlsplit(feed.next_).query)["cursor"][0]
    assert {(project.id, "create"), (project.id, "update")} <= set(actions), actions[-10:]
    print(f"paged through the changes feed: {len(actions)} changes in {pages} pages, both edits among them")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tracker-client-") as directory:
        generate(Path(directory))
        count = import_every_module(Path(directory))
        print(f"generated a client without warnings; its {count} modules import")
        use_the_client()
    print("generated client check passed")


if __name__ == "__main__":
    main()
