"""Schemathesis hooks for the contract run (scripts/api_contract.sh).

A write to a record needs ``If-Match`` with the record's current ``ETag`` (428 without it, 412
with a stale one), which generated data cannot guess. As a client does, the hook reads the
record first and sends its tag back. It leaves alone the requests whose headers are generated
to be invalid (the missing ``If-Match`` among them: that one must answer 428), and the records
that do not exist (the write answers 404 as the GET did).

The tag a write answers with is kept for the next write to that record, until any write succeeds
(a project's tag covers its claims, roles and parts: one write may change what several records
show); a refused write changes nothing. This needs the requests in order: the run has one worker.
"""

import os
import re

import requests
import schemathesis
from schemathesis.core.parameters import ParameterLocation

BASE_URL = os.environ["CONTRACT_BASE_URL"]
TOKEN = os.environ["CONTRACT_TOKEN"]
RECORD = re.compile(r"^(/api/v\d+/[^/]+/[^/]+/)")
READS = {"GET", "HEAD", "OPTIONS", "TRACE"}

session = requests.Session()
etags: dict[str, str] = {}  # record path -> its current ETag


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() in READS or case.headers is None or "If-Match" not in case.headers:
        return
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        return
    record = RECORD.match(case.formatted_path)
    if record is None:
        return
    if record[1] not in etags:
        response = session.get(BASE_URL + record[1], headers={"Authorization": f"Token {TOKEN}"}, timeout=30)
        if response.status_code != 200 or "ETag" not in response.headers:
            return
        etags[record[1]] = response.headers["ETag"]
    case.headers["If-Match"] = etags[record[1]]


@schemathesis.hook
def after_call(context, case, response):
    if case.method.upper() in READS or not 200 <= response.status_code < 300:
        return
    etags.clear()
    record = RECORD.match(case.formatted_path)
    if record is not None and case.method.upper() in ("PUT", "PATCH") and "ETag" in response.headers:
        etags[record[1]] = response.headers["ETag"]
