from projects.extraction.language import detect_language
from projects.extraction.sentences import clause_around, split_sentences


def test_detects_french():
    assert detect_language("Le projet sera construit sur une friche et créera des emplois dans la région.") == "fr"


def test_detects_english():
    assert detect_language("The campus will be built on a former steelworks and is expected to open by 2031.") == "en"


def test_empty_text_defaults_to_english():
    assert detect_language("") == "en"


def test_sentences_keep_offsets_and_skip_abbreviations():
    text = "Headline without a stop\nM. Dupont a parlé. Le site de 3.5 ha ouvrira! Inc. said so?"
    sentences = [s.of(text) for s in split_sentences(text)]
    assert sentences == [
        "Headline without a stop",
        "M. Dupont a parlé.",
        "Le site de 3.5 ha ouvrira!",
        "Inc. said so?",
    ]


def test_clause_is_cut_at_commas_but_not_inside_numbers_or_dates():
    text = "On December 9, 2025, the operator said the 5,826 square metre hall would open, a spokesman added."
    [sentence] = split_sentences(text)
    start = text.index("5,826")
    clause = clause_around(text, sentence, start, start + 5)
    assert clause.of(text) == "the operator said the 5,826 square metre hall would open"


def test_short_clause_falls_back_to_the_sentence():
    text = "In 2027, it opens."
    [sentence] = split_sentences(text)
    assert clause_around(text, sentence, 3, 7).of(text) == text
