"""The OpenAPI document tells the truth: schemathesis (`--checks all`) against the real
server on a loopback port, signed in as each role, for a fixed number of examples.

Sign-out, ending sessions and suspension are left out here because they would end the
session the run signs in with; tests/integration/test_sessions.py covers them. An upload
must be bytes the app prepared, hashing to their name, which no schema can say: so a
well-formed but made-up upload is rightly refused, and that one check is left out for
that one operation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

EXAMPLES = 10  # per operation and phase (README: raise it when changing the API)
CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("st")
SESSION_ENDING = ["--exclude-path", "/v1/auth/logout", "--exclude-path-regex",
                  "^/v1/auth/sessions/", "--exclude-path-regex", "/suspend$"]  # fmt: skip
UPLOAD = ["--include-path", "/v1/blobs/{sha256}", "--include-method", "PUT"]
# A CSV import's body is a file: random text is rarely a valid export, so only refusals
# of bad input are judged there, as for photo uploads.
IMPORT = ["--include-path", "/v1/import/jobs"]


def schemathesis(url: str, token: str, *selection: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{url}/openapi.json",
            "--max-examples", str(EXAMPLES), "--generation-deterministic", "--no-color",
            "--header", f"Authorization: Bearer {token}", *selection,
        ],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.contract
@pytest.mark.parametrize("role", ["officer", "resident", "tradesperson"])  # one of each role
def test_the_api_answers_as_its_openapi_document_says(server, role):
    login = {"email": DEMO_ACCOUNTS[role], "password": DEMO_PASSWORD}
    token = httpx.post(f"{server.url}/v1/auth/login", json=login).json()["token"]
    for selection in (
        [
            "--checks",
            "all",
            *SESSION_ENDING,
            "--exclude-method",
            "PUT",
            "--exclude-path",
            "/v1/import/jobs",
        ],
        ["--checks", "all", "--exclude-checks", "positive_data_acceptance", *UPLOAD],
        ["--checks", "all", "--exclude-checks", "positive_data_acceptance", *IMPORT],
    ):
        run = schemathesis(server.url, token, *selection)
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
