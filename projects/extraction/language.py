"""Language detection by stopword counting: articles are long enough for it to be reliable."""

from __future__ import annotations

import re

# Only words that are frequent in one language and rare in the other ("a", "on", "de"
# in proper names... are left out).
_STOPWORDS = {
    "fr": {
        "le", "la", "les", "des", "du", "et", "un", "une", "est", "dans", "pour", "sur", "avec",
        "qui", "que", "au", "aux", "ce", "cette", "ces", "par", "pas", "sont", "été", "à", "il",
        "elle", "se", "ses", "leur", "mais", "ou", "où", "son", "sa", "plus", "selon",
        "l'", "d'",
    },
    "en": {
        "the", "of", "and", "to", "is", "for", "with", "that", "by", "at", "from", "has", "have",
        "are", "was", "be", "its", "it", "which", "this", "will", "would", "been", "their", "an",
        "or", "but", "said", "into", "than",
    },
}  # fmt: skip

SUPPORTED_LANGUAGES = tuple(_STOPWORDS)
DEFAULT_LANGUAGE = "en"


def detect_language(text: str) -> str:
    """ "fr" or "en", whichever language's stopwords are more frequent (English on a tie)."""
    tokens = re.findall(r"[a-zàâçéèêëîïôûùüÿœ]+'?", text.casefold().replace("’", "'"))
    scores = {lang: sum(token in words for token in tokens) for lang, words in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > scores[DEFAULT_LANGUAGE] else DEFAULT_LANGUAGE
