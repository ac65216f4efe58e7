"""The receiver's check of a webhook call answers False to any forged header, whatever characters
it holds: hmac.compare_digest raises TypeError on str with non-ASCII characters."""

import time

import orjson
import pytest

from projects.following import services

SECRET = "s" * 32


@pytest.mark.parametrize("signature", ["sha256=é", "sha256=" + "é" * 64, "²", "\x00"])
def test_a_signature_with_any_characters_does_not_verify(signature):
    body = orjson.dumps({"sent_at": int(time.time())})
    assert services.verify(SECRET, body, signature, str(int(time.time()))) is False


def test_the_true_signature_still_verifies():
    now = int(time.time())
    body = orjson.dumps({"sent_at": now})
    assert services.verify(SECRET, body, services.sign(SECRET, body), str(now)) is True
