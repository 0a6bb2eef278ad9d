"""What a bill notice (고지서) states besides its charges: the e-payment number (전자납부번호) a
citizen pays with, and the amount and last day after the due date (납기후). The printed bill, the
bill page and the payment channels all read them from here."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from plugins.rates.models import Bill
from plugins.rates.services.calculation import truncate_10
from plugins.rates.services.customers import luhn_digit

ISSUER_CODE = "47"  # the e-payment number's issuer prefix


def payment_reference(bill: Bill) -> str:
    """전자납부번호, 19 digits: issuer, billing month, account, kind, sequence, Luhn check digit."""
    account = bill.customer.account_no.replace("-", "")
    sequence = bill.number.rsplit("-A", 1)[1] if "-A" in bill.number else "0"
    kind = {"regular": "1", "settlement": "2", "adjusting": "3"}[bill.kind]
    body = f"{ISSUER_CODE}{bill.period[2:4]}{bill.period[5:7]}{account}{kind}{int(sequence) % 10}"
    return body + str(luhn_digit(body))


def late_amount(total: int, terms) -> int:
    """납기후 금액: the total with the late charge (the rate of the tariff ``terms``, amounts below
    10 won dropped)."""
    if total <= 0 or terms is None:
        return total
    return total + truncate_10((Decimal(total) * Decimal(terms.late_rate)).quantize(Decimal(1), rounding=ROUND_FLOOR))


def late_due(due_on: date) -> date:
    """납기후 납기일: the end of the month after the due date's month."""
    following = (due_on.replace(day=1) + timedelta(days=32)).replace(day=1)
    return (following + timedelta(days=32)).replace(day=1) - timedelta(days=1)
