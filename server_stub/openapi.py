"""What the OpenAPI document says a route may answer besides success: every refusal is
an `ErrorBody`, a sentence for the person."""

from __future__ import annotations

from typing import Any

from app.sync import protocol as p

WHY = {
    400: "The request could not be understood.",
    401: "Not signed in, or the sign-in has expired.",
    403: "Signed in, but not allowed to do this.",
    404: "Not found, or not yours to see.",
    405: "This address does not take that method.",
    409: "It clashes with what is there already; the sentence says what to do instead.",
    413: "The body is larger than this route takes.",
    422: "A field is missing or not valid; the sentence says which.",
    426: "The app is too old for this server.",
    429: "Too many requests; try again later (see Retry-After).",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": p.ErrorBody, "description": WHY[code]} for code in codes}
