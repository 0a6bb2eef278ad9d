"""Property: any sequence of valid postings and reversals keeps the books balanced."""
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugins.accounting import api
from plugins.accounting.data import PostingLine, PostingRequest
from plugins.accounting.services import journal

# Postable accounts of every class.
ACCOUNTS = ["1111", "1113", "1226", "1227", "2111", "2215", "3100", "611-01", "611-03", "671-01", "5110", "5208", "5216"]

amounts = st.integers(min_value=1, max_value=5_000_000_000)
posting = st.tuples(
    st.lists(st.tuples(st.sampled_from(ACCOUNTS), amounts), min_size=1, max_size=4),  # debits
    st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=3),  # credit accounts
    st.integers(min_value=1, max_value=12),  # month
)
operation = st.one_of(st.tuples(st.just("post"), posting), st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50)))


def _credits(total: int, accounts: list[str]) -> list[PostingLine]:
    """Split ``total`` over the credit accounts in whole won, the last taking the remainder."""
    share = total // len(accounts)
    lines = [PostingLine(code, credit=share) for code in accounts[:-1] if share > 0]
    return lines + [PostingLine(accounts[-1], credit=total - share * len(lines))]


def _equation_holds(year: int) -> tuple[bool, dict]:
    sums = {cls: 0 for cls in ("asset", "liability", "capital", "revenue", "expense")}
    for balance in api.account_balances(year):
        sums[balance.account_class] += balance.balance
    return sums["asset"] == sums["liability"] + sums["capital"] + sums["revenue"] - sums["expense"], sums


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=8))
def test_postings_and_reversals_keep_the_books_balanced(app, operations):
    with app.test_request_context():
        posted = []
        for kind, payload in operations:
            if kind == "post":
                debits, credit_accounts, month = payload
                total = sum(amount for _, amount in debits)
                lines = [PostingLine(code, debit=amount) for code, amount in debits] + _credits(total, credit_accounts)
                ref = journal.post_request(PostingRequest(date(2026, month, 15), "property", tuple(lines),
                                                          idempotency_key=f"prop:{id(operations)}:{len(posted)}:{month}:{total}"))
                posted.append(ref)
            elif posted:
                target = posted[payload % len(posted)]
                if target.created:
                    try:
                        journal.reverse(target.id, date(2026, 12, 31), "property")
                    except Exception as error:  # only "reversed already" may refuse
                        assert "이미 역분개" in str(error) or "already" in str(error)
        tb = api.trial_balance(2026)
        assert tb.debit_total == tb.credit_total
        holds, sums = _equation_holds(2026)
        assert holds, sums
