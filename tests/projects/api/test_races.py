"""No 500 on races: writers that collide in the database are answered in the error shape.

Real concurrency: ten clients send at the same moment to a live server, each request on its
own thread and database connection (PostgreSQL's unique index decides who wins).
"""

import threading

import pytest
import requests
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token

from projects.models import Project, Source
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 10


@pytest.fixture
def token():
    editor = UserFactory(username="editor")
    editor.user_permissions.set(Permission.objects.filter(content_type__app_label="projects"))
    return Token.objects.create(user=editor).key


def post_at_once(url: str, token: str, bodies: list[dict]) -> list[requests.Response]:
    """POST every body at the same moment, one thread and one HTTP connection each."""
    barrier = threading.Barrier(len(bodies))
    answers: list[requests.Response | BaseException | None] = [None] * len(bodies)

    def send(index: int, body: dict):
        with requests.Session() as session:
            try:
                barrier.wait(timeout=30)
                answers[index] = session.post(url, json=body, headers={"Authorization": f"Token {token}"}, timeout=60)
            except BaseException as error:  # noqa: BLE001 - reported by the test below
                answers[index] = error

    threads = [threading.Thread(target=send, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(answer, requests.Response) for answer in answers), answers
    return answers


def test_ten_same_name_creates_at_once_all_get_their_own_slug(live_server, token):
    answers = post_at_once(
        f"{live_server.url}/api/v1/projects/", token, [{"name": "Fouju campus", "country": "FR"}] * CLIENTS
    )
    assert sorted(answer.status_code for answer in answers) == [201] * CLIENTS, [a.text[:300] for a in answers]
    slugs = sorted(answer.json()["slug"] for answer in answers)
    assert slugs == sorted(["fouju-campus", *(f"fouju-campus-{n}" for n in range(2, CLIENTS + 1))])
    assert Project.objects.filter(name="Fouju campus").count() == CLIENTS


def test_the_same_unique_value_at_once_is_one_201_and_the_rest_in_the_error_shape(live_server, token):
    body = {"title": "Un campus à Fouju", "url": "https://presse.example.org/fouju"}
    answers = post_at_once(f"{live_server.url}/api/v1/sources/", token, [body] * CLIENTS)
    codes = sorted(answer.status_code for answer in answers)
    assert codes.count(201) == 1 and set(codes) <= {201, 409}, codes
    for answer in answers:
        if answer.status_code == 201:
            continue
        assert answer.headers["Content-Type"] == "application/json"
        error = answer.json()["error"]
        if error["code"] == "unique":  # came after the winner committed: validation names the field
            assert list(error["fields"]) == ["url"]
        else:  # lost the race in the database: its unique index refused it
            assert error["code"] == "conflict"
    assert Source.objects.filter(url=body["url"]).count() == 1
