"""What a claim attribute is, is written once: every consumer agrees with the registry."""

from projects import attributes, choices
from projects.admin.claims import VALUE_FIELDS_BY_KIND, ClaimInlineBase
from projects.extraction import facts
from projects.extraction.scoring import PRECISION_FIELDS
from projects.ingestion import NUMBER_FIELDS, TEXT_FIELDS
from projects.models import Claim, Project


def test_every_claim_attribute_is_in_the_registry_and_nothing_else():
    assert set(attributes.ATTRIBUTES) == set(choices.ClaimAttribute.values)


def test_the_fields_a_figure_feeds_are_project_columns():
    project_fields = {field.name for field in Project._meta.get_fields()}
    for attribute in attributes.FIGURES:
        assert set(attribute.fields) <= project_fields, attribute.name


def test_claims_take_their_kind_and_unit_from_the_registry():
    for name, attribute in attributes.ATTRIBUTES.items():
        claim = Claim(attribute=name)
        assert attributes.value_kind(name) == attribute.value_kind
        assert attributes.unit(name) == attribute.unit
        assert claim.attribute == name


def test_the_extractor_reads_the_registry():
    assert set(facts.FIELDS) == {name for name, a in attributes.ATTRIBUTES.items() if a.extracted}
    assert set(facts.SINGLE_VALUED_FIELDS) == set(facts.FIELDS) & attributes.SINGLE_VALUED
    assert "jobs" in facts.MULTI_VALUED_FIELDS and "jobs" in attributes.MULTI_VALUED


def test_ingestion_and_scoring_read_the_registry():
    numbers = {n for n, a in attributes.ATTRIBUTES.items() if a.value_kind in ("number", "money")}
    assert numbers == NUMBER_FIELDS
    assert {n for n, a in attributes.ATTRIBUTES.items() if a.value_kind == "text"} == TEXT_FIELDS
    assert numbers | {n for n, a in attributes.ATTRIBUTES.items() if a.value_kind == "date"} == PRECISION_FIELDS


def test_the_admin_shows_the_inputs_of_each_attributes_kind():
    for name, attribute in attributes.ATTRIBUTES.items():
        assert ClaimInlineBase.value_parts[name] == VALUE_FIELDS_BY_KIND[attribute.value_kind]
