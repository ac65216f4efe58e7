"""Concurrent writes on one project happen one after the other: none writes back a stale count."""

import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects import choices
from projects.integrity import violations
from tests.factories import ClaimFactory, ProjectFactory, SourceFactory, UserFactory

ROUNDS = 30


def client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def in_parallel(*calls):
    """Run the calls at the same moment, each on its own database connection; return their answers."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            answers[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.mark.django_db(transaction=True)
def test_a_patch_racing_a_contradicting_accept_keeps_the_conflict_count():
    reviewer = UserFactory(username="reviewer")
    reviewer.user_permissions.set(Permission.objects.filter(content_type__app_label="projects"))
    editor = UserFactory(username="editor")
    editor.user_permissions.set(
        Permission.objects.filter(content_type__app_label="projects").exclude(codename="review_claim")
    )
    reviewing, editing, reading = client_for(reviewer), client_for(editor), APIClient()
    mismatches = []
    for round_ in range(ROUNDS):
        project = ProjectFactory(capacity_mw=None)
        ClaimFactory(project=project, value_number=Decimal("700"), status=choices.ClaimStatus.ACCEPTED)
        contradicting = ClaimFactory(project=project, source=SourceFactory(), value_number=Decimal("1000"))
        # each client read what it writes to (If-Match): the accept may change the project after that read
        project_tag = editing.get(f"/api/v1/projects/{project.slug}/")["ETag"]
        claim_tag = reviewing.get(f"/api/v1/claims/{contradicting.pk}/")["ETag"]
        patch, accept = in_parallel(
            lambda project=project, round_=round_, tag=project_tag: editing.patch(
                f"/api/v1/projects/{project.slug}/", {"name": f"Renamed {round_}"}, format="json", HTTP_IF_MATCH=tag
            ),
            lambda claim=contradicting, tag=claim_tag: reviewing.post(
                f"/api/v1/claims/{claim.pk}/accept/", HTTP_IF_MATCH=tag
            ),
        )
        assert accept.status_code == 200, accept.content
        assert patch.status_code in (200, 412), patch.content
        detail = reading.get(f"/api/v1/projects/{project.pk}/").json()
        if detail["conflict_count"] != len(detail["conflicts"]) or detail["conflict_count"] != 1:
            mismatches.append((round_, detail["conflict_count"], len(detail["conflicts"])))
    assert mismatches == []
    assert [str(v) for v in violations()] == []
