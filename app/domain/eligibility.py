"""Who may take a job: the trade matches, a certificate the work needs is in date, insurance
is in date, and the job's postcode district is one the tradesperson covers.

Eligibility is checked whenever work changes hands or begins (putting forward, accepting,
award, starting a visit), so a registration that lapses after an offer was made stops the
work there. Each refusal is said two ways: to the tradesperson ("Your Gas Safe ...") and
about them, to an officer or resident ("Pat Pipe's Gas Safe ...")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.lifecycle import Rejected
from app.domain.models import Trade, Vetting
from app.domain.records import Job, Tradesperson


@dataclass(frozen=True)
class Regulation:
    """Work the law lets only a registered person do: any one registration, in date."""

    work: str  # as a sentence names it: "gas work"
    certificates: tuple[str, ...]


REGULATED = {
    Trade.GAS: Regulation("gas work", ("gas_safe",)),
    Trade.ELECTRICAL: Regulation("electrical work", ("niceic", "napit", "elecsa")),
}
CERTIFICATE_NAMES = {
    "gas_safe": "Gas Safe",
    "niceic": "NICEIC",
    "napit": "NAPIT",
    "elecsa": "ELECSA",
}


@dataclass(frozen=True)
class Ineligible:
    """Why a tradesperson may not take a job: a stable code and the sentence each reader
    needs. `yours` is said to the tradesperson, `theirs` to an officer or resident."""

    code: str  # trade, district, no_certificate, certificate_expired, insurance
    yours: str
    theirs: str


def long_date(day: date) -> str:
    """A date as people write it in Britain: 3 March 2026."""
    return f"{day.day} {day:%B %Y}"


def names_of(kinds: tuple[str, ...]) -> str:
    """ "Gas Safe"; "NICEIC, NAPIT or ELECSA"."""
    names = [CERTIFICATE_NAMES[k] for k in kinds]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def valid_certificate(tp: Tradesperson, trade: Trade, on: date) -> date | None:
    """The latest expiry among `tp`'s registrations for `trade` that are in date `on` that
    day; the day itself counts. None when none is, or when the trade needs none (see
    `REGULATED`)."""
    regulation = REGULATED.get(trade)
    kinds = regulation.certificates if regulation else ()
    expiries = [tp.certificates.get(k) for k in kinds]
    return max((e for e in expiries if e is not None and e >= on), default=None)


def why_ineligible(tp: Tradesperson, job: Job, today: date) -> Ineligible | None:
    """Why `tp` may not take `job` on `today`, or None when they may."""
    who, trade = tp.name, job.trade.label
    if tp.status is not Vetting.APPROVED:
        return Ineligible(
            "not_approved",
            NOT_APPROVED[tp.status],
            f"{who} is not approved to take work ({tp.status.label.lower()}).",
        )
    if (tp.home_id and tp.home_id == job.home_id) or job.resident_id == tp.id:
        return Ineligible(
            "own_home",
            "This repair is at your own home, so you can't take it.",
            f"{who} lives at this home, so they can't be awarded its repair.",
        )
    if job.trade not in tp.trades:
        return Ineligible(
            "trade",
            f"{trade} is not one of your trades.",
            f"{trade} is not one of {who}'s trades.",
        )
    if job.district and job.district not in tp.districts:
        return Ineligible(
            "district",
            f"{job.district} is outside the areas you cover.",
            f"{who} does not cover {job.district}.",
        )
    regulation = REGULATED.get(job.trade)
    if regulation and valid_certificate(tp, job.trade, today) is None:
        kinds, work = regulation.certificates, regulation.work
        lapsed = max(((tp.certificates[k], k) for k in kinds if k in tp.certificates), default=None)
        if lapsed is None:
            return Ineligible(
                "no_certificate",
                f"This work needs a valid {names_of(kinds)} certificate.",
                f"{who} has no {names_of(kinds)} registration, so they can't be awarded {work}.",
            )
        expired, kind = lapsed
        registration = f"{CERTIFICATE_NAMES[kind]} registration expired on {long_date(expired)}"
        return Ineligible(
            "certificate_expired",
            f"Your {registration}, so you can't take {work}. Upload your renewed certificate.",
            f"{who}'s {registration}, so they can't be awarded {work}.",
        )
    if tp.insurance_expires is None or tp.insurance_expires < today:
        return Ineligible(
            "insurance",
            "Your public liability insurance has expired. Upload a current certificate.",
            f"{who}'s public liability insurance is not in date, so they can't be awarded work.",
        )
    return None


NOT_APPROVED = {
    Vetting.APPLIED: "Your details are waiting for the landlord's checks. You can take work "
    "once they are approved.",
    Vetting.MORE_INFO: "The landlord asked for more information. Update your details and send "
    "them again.",
    Vetting.REFUSED: "Your application was refused, so you can't take work.",
}
REMIND_BEFORE = (timedelta(days=30), timedelta(days=7))


@dataclass(frozen=True)
class Reminder:
    """A registration or insurance running out soon: said to the tradesperson, and (as
    `theirs`) to officers."""

    what: str  # as said mid-sentence: "Gas Safe registration", "public liability insurance"
    expires: date
    days_left: int
    urgent: bool  # 7 days or fewer

    @property
    def yours(self) -> str:
        return f"Your {self.what} runs out {self._when}. Upload the renewed certificate."

    def theirs(self, who: str) -> str:
        return f"{who}'s {self.what} runs out {self._when}."

    @property
    def _when(self) -> str:
        if self.days_left == 0:
            return f"today, {long_date(self.expires)}"
        days = "day" if self.days_left == 1 else "days"
        return f"in {self.days_left} {days}, on {long_date(self.expires)}"


def reminders(tp: Tradesperson, today: date) -> list[Reminder]:
    """What runs out within 30 days (urgent within 7), soonest first. Expired ones are not
    reminders: eligibility refuses them."""
    expiring = [
        (f"{CERTIFICATE_NAMES.get(kind, kind)} registration", ends)
        for kind, ends in tp.certificates.items()
    ]
    if tp.insurance_expires:
        expiring.append(("public liability insurance", tp.insurance_expires))
    due = [
        Reminder(what, ends, (ends - today).days, ends - today <= REMIND_BEFORE[1])
        for what, ends in expiring
        if today <= ends <= today + REMIND_BEFORE[0]
    ]
    return sorted(due, key=lambda r: r.expires)


def eligibility_problem(tp: Tradesperson, job: Job, today: date) -> str | None:
    """Why `tp` may not take `job`, said to them, or None when they may."""
    problem = why_ineligible(tp, job, today)
    return problem.yours if problem else None


def check_eligible(tp: Tradesperson, job: Job, today: date) -> None:
    """Refuse the tradesperson's own action (offer, accept, start) when they may not."""
    problem = why_ineligible(tp, job, today)
    if problem:
        raise Rejected("not_eligible", problem.yours)


def check_awardable(tp: Tradesperson, job: Job, today: date) -> None:
    """Refuse an officer's award to `tp` when they may not take `job` today, whenever they
    made their offer."""
    problem = why_ineligible(tp, job, today)
    if problem:
        raise Rejected("not_eligible", problem.theirs)
