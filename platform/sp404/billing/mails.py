"""Subjects and bodies of the billing e-mails (sent through the accounts outbox)."""

from __future__ import annotations

from datetime import datetime


def money(cents: int, currency: str) -> str:
    """An amount as people read it: `$29.00` or `29.00 EUR`."""
    amount = f"{cents / 100:,.2f}"
    return f"${amount}" if currency.lower() == "usd" else f"{amount} {currency.upper()}"


def trial_ending_mail(
    plan_name: str, trial_end: datetime | None, billing_url: str, *, has_card: bool = True
) -> tuple[str, str]:
    """The notice three days before a trial turns into a paid subscription (or, without a
    card, ends)."""
    when = trial_end.strftime("%B %d, %Y") if trial_end else "in a few days"
    if not has_card:
        return (
            f"Your SP-404 Sample Cloud {plan_name} trial ends soon",
            f"Your free {plan_name} trial ends on {when}. There is no card on file, so your\n"
            f"account goes back to Free then (nothing you stored is deleted). To keep\n"
            f"{plan_name}, add a card here:\n\n{billing_url}\n",
        )
    return (
        f"Your SP-404 Sample Cloud {plan_name} trial ends soon",
        f"Your free {plan_name} trial ends on {when}. After that your card is charged and\n"
        "you keep every feature. To stop before then, cancel here:\n\n"
        f"{billing_url}\n",
    )


def dispute_operator_mail(
    account_email: str, user_id: str, cents: int, currency: str, reason: str, dispute_id: str
) -> tuple[str, str]:
    """The operator's notice that a producer's bank disputed a charge (a chargeback)."""
    return (
        f"Dispute opened: {money(cents, currency)} from {account_email}",
        f"The bank of {account_email} (user {user_id}) disputes a charge of\n"
        f"{money(cents, currency)} (reason: {reason}). The account is flagged; answer the\n"
        f"dispute in the Stripe Dashboard before its evidence deadline: {dispute_id}\n",
    )


def receipt_mail(number: str | None, cents: int, currency: str, url: str | None) -> tuple[str, str]:
    """The receipt for a paid invoice."""
    return (
        f"Receipt for your SP-404 Sample Cloud payment ({money(cents, currency)})",
        f"Thanks! We received {money(cents, currency)} for invoice {number or ''}.\n\n"
        f"The invoice: {url or 'see Billing in the app'}\n",
    )


def payment_failed_mail(cents: int, currency: str, url: str | None) -> tuple[str, str]:
    """The notice that a charge was declined; features stay while Stripe retries."""
    return (
        "Your SP-404 Sample Cloud payment failed",
        f"We could not charge {money(cents, currency)} for your subscription. You keep your\n"
        "plan while we retry over the next days; update your card or pay here to keep it:\n\n"
        f"{url or 'see Billing in the app'}\n",
    )


def action_required_mail(url: str | None) -> tuple[str, str]:
    """The notice that the bank wants the customer to confirm a payment."""
    return (
        "Confirm your SP-404 Sample Cloud payment",
        "Your bank asks you to confirm a payment for your subscription. Confirm it here:\n\n"
        f"{url or 'see Billing in the app'}\n",
    )


def usage_warning_mail(label: str, used: str, limit: str, billing_url: str) -> tuple[str, str]:
    """The notice that a quota passed 80 % in this period."""
    return (
        f"You have used 80% of your {label}",
        f"You have used {used} of {limit} {label} on your plan. When it runs out, new\n"
        "uploads or analyses wait until the next period; nothing you stored is ever deleted.\n"
        f"More room: {billing_url}\n",
    )


def dispute_closed_mail(account_email: str, status: str, dispute_id: str) -> tuple[str, str]:
    """The operator's notice that a dispute ended (the account's flag is cleared)."""
    outcome = {
        "won": "You won it: the money stays.",
        "lost": "It was lost: the money went back to the cardholder. The subscription runs on;\n"
        "cancel it in the Stripe Dashboard if the account should not keep a paid plan.",
    }.get(status, f"It closed as {status}.")
    return (
        f"Dispute {status}: {account_email}",
        f"The dispute {dispute_id} of {account_email} is closed. {outcome}\n"
        "The account's dispute flag is cleared.\n",
    )
