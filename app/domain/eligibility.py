"""Who may take a job: the trade matches, certificates and insurance are in date, and the
job's postcode district is one the tradesperson covers."""

from __future__ import annotations

from datetime import date

from app.domain.lifecycle import Rejected
from app.domain.models import REGULATED_TRADES
from app.domain.records import Job, Tradesperson

CERTIFICATE_NAMES = {"gas_safe": "Gas Safe", "niceic": "NICEIC"}


def eligibility_problem(tp: Tradesperson, job: Job, today: date) -> str | None:
    """Why `tp` may not take `job`, in words, or None when they may."""
    if job.trade not in tp.trades:
        return f"{job.trade.label} is not one of your trades."
    if job.district and job.district not in tp.districts:
        return f"{job.district} is outside the areas you cover."
    certificate = REGULATED_TRADES.get(job.trade)
    if certificate:
        expires = tp.certificates.get(certificate)
        if expires is None or expires < today:
            return f"This work needs a valid {CERTIFICATE_NAMES[certificate]} certificate."
    if tp.insurance_expires is None or tp.insurance_expires < today:
        return "Your public liability insurance has expired. Upload a current certificate."
    return None


def check_eligible(tp: Tradesperson, job: Job, today: date) -> None:
    problem = eligibility_problem(tp, job, today)
    if problem:
        raise Rejected("not_eligible", problem)
