"""What the domain allows the signed-in person, and the limits its commands set on forms.

Screens ask here instead of copying rules, so a button shows only when the lifecycle
would accept it, and a form refuses what the server would refuse, in the same words."""

from __future__ import annotations

from annotated_types import MinLen

from app.client import Client
from app.domain.commands import Command
from app.domain.lifecycle import Action, Actor, Rejected, allowed, can_put_forward
from app.domain.models import OfferStatus
from app.domain.records import Job, Offer
from app.views import format as fmt


def may(client: Client, job: Job, action: Action) -> bool:
    """Whether the signed-in person may take `action` on `job` now."""
    user = client.user
    return user is not None and allowed(job, action, Actor(user.id, user.role))


def may_change_offer(client: Client, offer: Offer, job: Job | None) -> bool:
    """Whether the signed-in person may change or withdraw `offer`: their own, still open,
    on a job that still takes offers (the domain refuses once it is awarded)."""
    user = client.user
    if user is None or job is None or offer.tradesperson_id != user.id:
        return False
    if offer.status is not OfferStatus.OPEN:
        return False
    try:
        can_put_forward(job, Actor(user.id, user.role))
    except Rejected:
        return False
    return True


def shortest(command: type[Command], field: str) -> int:
    """The fewest characters `field` of `command` takes (0 when it may be left empty)."""
    rules = command.model_fields[field].metadata
    return max((r.min_length for r in rules if isinstance(r, MinLen)), default=0)


def price(text: str, command: type[Command], field: str = "price_pence") -> tuple[int, str | None]:
    """Pounds typed into a form as pence, or the sentence to show under the field."""
    pence = fmt.pounds_to_pence(text)
    if not pence:
        return 0, "Enter the price in pounds, for example 120 or 95.50."
    most = command.limit(field)
    if pence > most:
        return 0, f"That is more than {fmt.money(most)}. Check the amount."
    return pence, None
