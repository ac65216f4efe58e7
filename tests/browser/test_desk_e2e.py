"""The review desk in a real headless Chromium: a pasted article becomes facts beside its text,
three are accepted and one corrected in fewer than ten clicks and key presses (typing a value
aside), under the Content-Security-Policy, with the shortcuts' help one key away."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects.models import Claim, Source
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
ARTICLE = """Hyperscale campus planned in Cambrai

A developer has unveiled plans for a 250 MW data centre campus in Cambrai, northern France, \
with an investment of €1.2bn and 300 permanent jobs. <script>document.title = "owned"</script>
"""


@pytest.fixture
def reviewer(transactional_db):
    from core.roles import setup_roles

    setup_roles()
    user = UserFactory(username="reviewer", is_staff=True, password=PASSWORD)
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name="reviewers"))
    return user


def log_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/desk/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#id_article")).to_be_visible()


class Actions:
    """Counts what the journalist does: each click and each key press (typing a value is not counted)."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, selector, *, navigates=False):
        self.count += 1
        if navigates:
            with self.page.expect_navigation():
                self.page.click(selector)
        else:
            self.page.click(selector)

    def press(self, key, *, navigates=False):
        self.count += 1
        if navigates:
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
        else:
            self.page.keyboard.press(key)
        # the desk's script has run on the page now shown: a fact is the current one
        expect(self.page.locator(".desk-fact.current")).to_have_count(1)


def current_fact(page) -> Claim:
    return Claim.objects.get(pk=page.locator(".desk-fact.current").get_attribute("data-fact"))


def test_paste_accept_three_and_correct_one_in_under_ten_actions(live_server, page, reviewer):
    problems = []
    page.on("console", lambda m: "Content Security Policy" in m.text and problems.append(m.text))
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    log_in(page, live_server)
    act = Actions(page)

    act.click("#id_article")
    page.fill("#id_article", ARTICLE)  # typing: not counted
    act.click("button[name=read]", navigates=True)
    expect(page.locator(".desk-fact")).to_have_count(Claim.objects.count())
    expect(page.locator(".desk-fact.current")).to_have_count(1)
    source = Source.objects.get()
    # the article is shown with its quotes highlighted, its script as text
    expect(page.locator("#desk-text mark.desk-quote").first).to_be_visible()
    expect(page.locator("#desk-text")).to_contain_text('<script>document.title = "owned"</script>')
    assert page.title() != "owned"

    accepted = []
    for _ in range(2):
        accepted.append(current_fact(page))
        act.press("a", navigates=True)
    # the next fact is the capacity: correct it (the new value is typed over the selected old one)
    capacity = current_fact(page)
    assert capacity.attribute == "capacity_mw"
    act.press("e")
    expect(page.locator(f"#fact-{capacity.pk} input.desk-value")).to_be_focused()
    page.keyboard.type("260")  # typing: not counted
    act.press("Enter", navigates=True)
    accepted.append(current_fact(page))
    act.press("a", navigates=True)

    assert act.count < 10, act.count
    assert act.count == 7
    for claim in accepted:
        claim.refresh_from_db()
        assert claim.status == "accepted", claim
    capacity.refresh_from_db()
    assert (capacity.value_number, capacity.status) == (Decimal("260"), "accepted")
    assert Claim.objects.filter(source=source, status="accepted").count() == 4
    expect(page.locator(f"#fact-{capacity.pk} .desk-value").first).to_have_text("260 MW")

    # j and k move, ? shows the help and Escape closes it
    before = current_fact(page).pk
    page.keyboard.press("k")
    assert current_fact(page).pk != before
    page.keyboard.press("?")
    expect(page.locator("#desk-help")).to_be_visible()
    expect(page.locator("#desk-help")).to_contain_text("accept the fact")
    page.keyboard.press("Escape")
    expect(page.locator("#desk-help")).to_be_hidden()
    assert problems == []


def test_the_desk_works_without_its_script(live_server, browser, reviewer):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        log_in(page, live_server)
        page.fill("#id_article", ARTICLE)
        page.click("button[name=read]")
        # the source's page, once the server has read the article and committed its facts
        expect(page).to_have_url(re.compile(r"/admin/desk/\d+/$"))
        assert Claim.objects.exists()
        expect(page.locator(".desk-fact")).to_have_count(Claim.objects.count())
        expect(page.locator(".desk-hint")).to_be_hidden()  # the shortcuts need the script: not offered
        capacity = Claim.objects.get(attribute="capacity_mw")
        row = page.locator(f"#fact-{capacity.pk}")
        row.get_by_role("button", name="Accepter").click()
        expect(page.locator(".messagelist .success")).to_contain_text("Accepté")
        capacity.refresh_from_db()
        assert capacity.status == "accepted"
        jobs = Claim.objects.get(attribute="jobs_permanent")
        row = page.locator(f"#fact-{jobs.pk}")
        row.locator("summary").click()
        row.locator("input.desk-value").fill("320")
        row.get_by_role("button", name="Enregistrer la correction").click()
        expect(page.locator(".messagelist .success")).to_contain_text("Corrigé")
        expect(page.locator(f"#fact-{jobs.pk} .desk-value").first).to_have_text("320\u00a0emplois")
        jobs.refresh_from_db()
        assert (jobs.value_number, jobs.status) == (Decimal("320"), "proposed")
    finally:
        context.close()
