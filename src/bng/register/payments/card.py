"""Paying a fee by card through GOV.UK Pay: start a payment, read its outcome from Pay, refund it.

The payer presses "Pay by card": we create a payment at Pay for the fee's amount (from the fee row,
itself from the fee table) and send them to Pay's ``next_url``; Pay sends them back to our return
address, which carries only an unguessable key. What happened is then asked of Pay, never taken from
the browser: when Pay says ``success`` the fee is recorded as received by card, once (the card payment's
row is locked and marked; a return page reloaded fifty times records one payment). A success for a fee
that was settled some other way first (a bank transfer recorded by hand) is marked ``not_needed``, and
``bng pay reconcile`` lists it for the money to be paid back. The register team refunds a fee paid by
card through Pay's refund endpoint; bank transfers are still recorded by hand (``fees.py``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from bng.register.applications.service import FEE_NAMES, FeeStanding, fee_standing
from bng.register.core import adjustments, audit, fee_payments, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, NotFound, NotSignedIn
from bng.register.core.fees import FeePurpose, pounds
from bng.register.core.model import ApplicationEvent, CardPayment, Payment, PaymentStatus, Refund
from bng.register.core.ports import CardPay, Clock, PayError, PayState, UnitOfWork, UnitOfWorkFactory
from bng.register.core.references import normalise
from bng.register.core.roles import Permission
from bng.register.core.rules import long_date
from bng.register.core.service import Service, require

from .fees import FeePayments

SUCCESS = "success"


class PayUnavailable(Conflict):
    """GOV.UK Pay could not be reached or refused a request: nothing was recorded."""


@dataclass(frozen=True, slots=True)
class Returned:
    """A card payment after the payer came back: what Pay says, and the fee as it now stands."""

    card: CardPayment
    state: PayState
    fee: Payment
    application: str  # the application's reference, or ""
    allocation: str  # the allocation's reference, or ""


@dataclass(frozen=True, slots=True)
class Difference:
    """A card payment whose state at Pay is not what we hold (``bng pay reconcile``)."""

    fee: str
    pay_id: str
    ours: str
    pays: str
    why: str


def _standing(uow: UnitOfWork, fee: Payment) -> FeeStanding:
    refunds = uow.payments.refunds([fee.id]) if fee.id is not None else {}
    refund = refunds.get(fee.id or 0)
    if fee.application_id is not None:
        app = uow.applications.get(fee.application_id)
        return fee_standing(fee, app.answers if app is not None else {}, refund)
    if refund is not None:
        return FeeStanding.REFUNDED
    return FeeStanding.RECEIVED if fee.status == PaymentStatus.RECEIVED else FeeStanding.DUE


class CardPayments(Service):
    """Fees paid by card through GOV.UK Pay: started here, their outcome asked of Pay, refunded through it."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, pay: CardPay, fees: FeePayments) -> None:
        super().__init__(uow, clock)
        self.pay = pay
        self._fees = fees
        self.on_received: list[Callable[[UnitOfWork, Actor, Payment], None]] = []
        """What else a fee recorded as paid by card settles, in the same transaction (a credit order: paid)."""

    def use(self, pay: CardPay) -> None:
        """Talk to another Pay (the tests point the production adapter at a live server's stand-in)."""
        self.pay = pay

    def _call(self, what: Callable[[], PayState]) -> PayState:
        try:
            return what()
        except PayError as err:
            raise PayUnavailable(f"{err}. Nothing has been paid or recorded; try again later") from None

    def _fee(self, uow: UnitOfWork, actor: Actor, reference: str) -> Payment:
        fee = uow.payments.by_reference(normalise(reference))
        if fee is None or fee.id is None or fee.payer_id != actor.user_id:
            raise NotFound("No such fee")  # someone else's fee is not theirs to learn of
        return fee

    def payable(self, actor: Actor | None, reference: str) -> Payment:
        """The fee, if it is this person's to pay (someone else's is not found, whatever was sent)."""
        if actor is None:
            raise NotSignedIn("Sign in to do this")
        with self._uow() as uow:
            return self._fee(uow, actor, reference)

    def start(
        self,
        actor: Actor | None,
        reference: str,
        return_url: Callable[[str], str],
        *,
        once: submissions.Once | None = None,
    ) -> str:
        """Start paying the fee with this payment reference by card: where to send the payer (Pay's ``next_url``).

        A payment already started and not finished is continued rather than doubled; the same form sent twice starts
        one. ``return_url(key)`` is our address Pay sends them back to.
        """
        if actor is None:
            raise NotSignedIn("Sign in to do this")
        with self._uow() as uow:
            fee = self._fee(uow, actor, reference)
            assert fee.id is not None
            if once is not None:
                first = uow.submissions.find(once.key)
                if first is not None and first.user_id == actor.user_id and first.action == once.action:
                    made = uow.card_payments.by_key(first.target)
                    if made is not None:
                        return made.next_url
            if _standing(uow, fee) != FeeStanding.DUE:
                raise Conflict(f"The fee with payment reference {fee.reference} is not due")
            open_ones = [c for c in uow.card_payments.for_payment(fee.id) if not c.finished]
            what = _what(fee)
            where = ""
            if fee.application_id is not None:
                app = uow.applications.get(fee.application_id)
                where = f" for application {app.reference}" if app is not None else ""
            elif fee.allocation_id is not None:
                where = " for an allocation of biodiversity units"
        for card in open_ones:  # one still open at Pay is continued; one finished meanwhile is settled
            state = self._call(lambda card=card: self.pay.get(card.pay_id))  # type: ignore[misc]
            if not state.finished and state.next_url:
                return state.next_url
            self._settle(actor, card.return_key, state)
        key = secrets.token_urlsafe(24)
        state = self._call(lambda: self.pay.create(fee.amount_pence, fee.reference, f"{what}{where}", return_url(key)))
        if state.amount != fee.amount_pence or not state.next_url:
            raise PayUnavailable("GOV.UK Pay did not make the payment asked for; nothing has been paid")
        now = self.now()
        try:
            with self._uow(write=True) as uow:
                submissions.claim(uow, actor, once, now)
                fee = self._fee(uow, actor, reference)
                assert fee.id is not None
                if _standing(uow, fee) != FeeStanding.DUE:
                    raise Conflict(f"The fee with payment reference {fee.reference} is not due")
                card = CardPayment(
                    fee.id, state.payment_id, key, fee.amount_pence, state.status, state.next_url, now, actor.user_id,
                    finished=state.finished, checked_at=now,
                )  # fmt: skip
                uow.add(card)
                uow.flush()
                audit.record(uow, now, actor, "payment.card_started", "payment", fee.reference, None,
                             {"pay_id": state.payment_id, "amount_pence": fee.amount_pence})  # fmt: skip
                submissions.settle(uow, once, key)
                uow.commit()
        except submissions.AlreadyDone as done:  # the same form, a moment ago: its payment
            with self._uow() as uow:
                made = uow.card_payments.by_key(done.target)
            if made is None:
                raise
            return made.next_url
        return state.next_url

    def returned(self, actor: Actor | None, key: str) -> Returned:
        """The payer is back from Pay: ask Pay what happened and record the fee if it was paid."""
        if actor is None:
            raise NotSignedIn("Sign in to do this")
        with self._uow() as uow:
            card = uow.card_payments.by_key(key)
            if card is None or card.created_by != actor.user_id:
                raise NotFound("No such payment")
        state = self._call(lambda: self.pay.get(card.pay_id))
        return self._settle(actor, key, state)

    def _settle(self, actor: Actor, key: str, state: PayState) -> Returned:
        now = self.now()
        with self._uow(write=True) as uow:
            card = uow.card_payments.by_key(key, for_update=True)
            assert card is not None
            fee = uow.payments.get(card.payment_id)
            assert fee is not None
            if state.payment_id != card.pay_id or state.amount != card.amount_pence:
                raise PayUnavailable("GOV.UK Pay answered about another payment; nothing has been recorded")
            card.status, card.finished, card.checked_at = state.status, state.finished, now
            app = uow.applications.get(fee.application_id) if fee.application_id is not None else None
            allocation = ""
            if fee.allocation_id is not None:
                found = [a for a in uow.ledger.made_by(card.created_by or 0) if a.id == fee.allocation_id]
                allocation = found[0].reference if found else ""
            if state.status == SUCCESS and card.outcome == "":
                if _standing(uow, fee) == FeeStanding.DUE:
                    self._received(uow, actor, fee, card, app)
                    for settle in self.on_received:
                        settle(uow, actor, fee)
                    card.outcome = "recorded"
                else:
                    card.outcome = "not_needed"
                    audit.record(uow, now, actor, "payment.card_not_needed", "payment", fee.reference, None,
                                 {"pay_id": card.pay_id, "amount_pence": card.amount_pence})  # fmt: skip
            uow.commit()
            return Returned(card, state, fee, app.reference if app is not None else "", allocation)

    def _received(self, uow: UnitOfWork, actor: Actor, fee: Payment, card: CardPayment, app: object) -> None:
        now = self.now()
        what = _what(fee).lower()
        fee_payments.mark_received(uow, now, actor, fee, now.date(), "card", what, by_hand=False,
                                   noted={"pay_id": card.pay_id})  # fmt: skip
        application_id = getattr(app, "id", None)
        if application_id is not None:
            name = FEE_NAMES.get(FeePurpose(fee.purpose), "Fee")
            message = (
                f"{name} of {pounds(fee.amount_pence)} (payment reference {fee.reference}) paid by card through "
                f"GOV.UK Pay on {long_date(now.date())} (Pay's payment id {card.pay_id})"
            )
            uow.add(ApplicationEvent(application_id, now, "payment_received", message, actor.user_id))

    def paid_by_card(self, payment_ids: list[int]) -> dict[int, CardPayment]:
        """The card payment that paid each of these fees (for the case page's refund through Pay)."""
        with self._uow() as uow:
            found = {}
            for payment_id in payment_ids:
                for card in uow.card_payments.for_payment(payment_id):
                    if card.outcome == "recorded":
                        found[payment_id] = card
            return found

    def refund(
        self, actor: Actor | None, reference: str, application: str, *, once: submissions.Once | None = None
    ) -> Refund:
        """Pay back a fee paid by card and no longer owed (standing "to be refunded") through Pay's refund endpoint.

        The refund is recorded with Pay's refund id. The same form twice refunds once: Pay refuses
        a second refund made against the amount available before the first.
        """
        actor = require(actor, Permission.RECORD_PAYMENTS)
        if once is not None and self._review_done(actor, once):
            raise submissions.AlreadyDone("")
        with self._uow() as uow:
            fee = uow.payments.by_reference(normalise(reference))
            if fee is None or fee.id is None:
                raise NotFound("No such payment")
            app = uow.applications.get(fee.application_id) if fee.application_id is not None else None
            if app is None or app.reference != normalise(application):
                raise NotFound("No such payment on this application")
            cards = [c for c in uow.card_payments.for_payment(fee.id) if c.outcome == "recorded"]
            if not cards:
                raise Conflict(f"The fee {fee.reference} was not paid by card through GOV.UK Pay")
            if _standing(uow, fee) != FeeStanding.TO_REFUND:
                raise Conflict(f"The fee with payment reference {fee.reference} is not to be refunded")
            if adjustments.short_of_whole_refund(
                uow, fee.id, fee.amount_pence, True
            ):  # before Pay is asked for anything
                raise Conflict(f"Part of the fee {fee.reference} was paid back already: record the rest by hand")
        [card] = cards
        state = self._call(lambda: self.pay.get(card.pay_id))
        try:
            refund = self.pay.refund(card.pay_id, fee.amount_pence, state.refund_available)
        except PayError as err:
            raise PayUnavailable(f"{err}. Nothing has been refunded or recorded") from None
        if refund.status == "error":
            raise PayUnavailable("GOV.UK Pay could not make the refund; nothing has been recorded")
        made = self._fees.record_refund(
            actor, fee.reference, self.today(), "card", f"GOV.UK Pay refund {refund.refund_id}",
            application=application, once=once,
        )  # fmt: skip
        with self._uow(write=True) as uow:
            kept = uow.card_payments.by_key(card.return_key, for_update=True)
            assert kept is not None
            kept.refund_id, kept.refund_status, kept.checked_at = refund.refund_id, refund.status, self.now()
            uow.commit()
        return made

    def _review_done(self, actor: Actor, once: submissions.Once) -> bool:
        with self._uow() as uow:
            first = uow.submissions.find(once.key)
        return first is not None and first.user_id == actor.user_id and first.action == once.action

    def reconcile(self) -> list[Difference]:
        """Every card payment whose state at Pay differs from ours (``bng pay reconcile``).

        A status or finish we have not seen, a success not recorded, a fee paid twice (to be paid back), a payment
        Pay does not know.
        """
        with self._uow() as uow:
            cards = list(uow.card_payments.all())
            fees = {c.payment_id: uow.payments.get(c.payment_id) for c in cards}
        found = []
        for card in cards:
            fee = fees[card.payment_id]
            ref = fee.reference if fee is not None else "?"
            ours = f"{card.status}{' (finished)' if card.finished else ''}"
            try:
                state = self.pay.get(card.pay_id)
            except PayError as err:
                found.append(Difference(ref, card.pay_id, ours, "unknown", str(err)))
                continue
            pays = f"{state.status}{' (finished)' if state.finished else ''}"
            if state.status == SUCCESS and card.outcome == "":
                found.append(Difference(ref, card.pay_id, ours, pays, "paid at GOV.UK Pay, not recorded as received"))
            elif card.outcome == "not_needed" and not card.refund_id:
                found.append(Difference(ref, card.pay_id, ours, pays, "paid twice: the card payment is to be refunded"))
            elif (state.status, state.finished) != (card.status, card.finished):
                found.append(Difference(ref, card.pay_id, ours, pays, "the state at GOV.UK Pay has changed"))
            elif card.refund_id and state.refund_available != 0:  # we refunded it whole
                found.append(Difference(ref, card.pay_id, ours, pays, "the amount refunded at GOV.UK Pay differs"))
        return found


def _what(fee: Payment) -> str:
    """What a fee pays for, as its pages and e-mails name it.

    A credit order's invoice is a fee row too (its purpose ``credits``, which is no registration or allocation fee).
    """
    if fee.purpose == "credits":
        return "Statutory biodiversity credits"
    return FEE_NAMES.get(FeePurpose(fee.purpose), "Fee")
