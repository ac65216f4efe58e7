import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from core import writes
from projects import choices
from projects.models import Claim, Organization, Project, Source, Substation


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"journalist{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class ServiceFactory(factory.django.DjangoModelFactory):
    """Records made the way the app makes them: through their service, with their derived values."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return writes.writer_for(model_class).save(model_class(*args, **kwargs), None, None)


class OrganizationFactory(ServiceFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = choices.OrganizationKind.COMPANY


class SourceFactory(ServiceFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Article {n}")
    url = factory.Sequence(lambda n: f"https://news.example.org/articles/{n}")
    publisher = "Example News"
    language = "en"
    published_on = datetime.date(2026, 3, 1)


class ProjectFactory(ServiceFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Data center {n}")
    kind = choices.ProjectKind.HYPERSCALE
    status = choices.ProjectStatus.PLANNING
    country = "FR"
    municipality = "Escaudain"
    latitude = 50.33315
    longitude = 3.3443
    location_precision = choices.LocationPrecision.MUNICIPALITY
    capacity_mw = Decimal("100")
    operational_year = 2029


class SubstationFactory(ServiceFactory):
    class Meta:
        model = Substation

    name = factory.Sequence(lambda n: f"Substation {n}")
    country = "FR"
    latitude = 50.30613
    longitude = 3.30471
    voltage_kv = 400


class ClaimFactory(ServiceFactory):
    class Meta:
        model = Claim

    project = factory.SubFactory(ProjectFactory)
    source = factory.SubFactory(SourceFactory)
    attribute = choices.ClaimAttribute.CAPACITY_MW
    value_number = Decimal("100")
    quote = "a capacity of 100 MW"
    status = choices.ClaimStatus.PROPOSED


def make(model, **fields):
    """A record of any tracked model, written through its service."""
    return writes.writer_for(model).save(model(**fields), None, None)
