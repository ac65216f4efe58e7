"""How long a free text may be: every text field has a maximum, checked with a message naming it.

The longest, a source's full text, still fits in the largest body the API reads
(``API_MAX_BODY_BYTES``, 1 MB): half a million characters of French or English text is about
550 KB of JSON.
"""

from django.core.validators import MaxLengthValidator
from django.db import models

DESCRIPTION_MAX_LENGTH = 20_000
QUOTE_MAX_LENGTH = 5_000
SOURCE_TEXT_MAX_LENGTH = 500_000


def bounded_text_field(max_length: int, **kwargs) -> models.TextField:
    """A ``TextField`` whose maximum is checked by the model's validation (``full_clean``, so every
    service), not only by forms and serializers as Django and DRF do with ``max_length`` alone."""
    return models.TextField(max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs)
