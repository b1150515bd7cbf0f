"""The read side's counts against their definitions, case by case: whatever shape the SQL
takes to be fast (ranges read by index, tallies joined once, overdue cases as one set),
every count equals what the definitions (engine.queries.is_overdue / is_due_soon) say of
each visible deadline, for every supervisor and grouping."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from engine import queries
from engine.access import may_see_case
from engine.alerts import windows as alert_windows
from engine.deadlines import MET, MISSED, OPEN
from engine.models import Case, Deadline
from engine.runtime import open_case
from tests.helpers import at
from tests.test_complaint import ORDER

TODAY = date(2026, 11, 23)


def _mixed(session, district):
    """Complaints and contract filings on three estates, their deadlines then spread over
    every status, before, on and after today, some met late."""
    community, enterprise = district.actor("community"), district.actor("enterprise")
    for i, estate in enumerate(("jinxiu", "binhe", "hudong", "jinxiu")):
        eid = district.estates[estate].id
        open_case(session, "complaint", eid, district.actor("street2") if estate == "hudong" else community,
                  {**ORDER, "hotline_no": f"12345-{i}"}, now=at(date(2026, 11, 2)))
        signed = date(2026, 10, 20)
        open_case(session, "contract_filing", eid, district.actor("enterprise2") if estate == "binhe" else enterprise,
                  {"contract_kind": "assembly", "contract_no": f"RS-{i}", "client": "业主委员会",
                   "signed_on": signed.isoformat(), "term_start": signed.isoformat(),
                   "term_end": (signed + timedelta(days=900)).isoformat(), "fee": "1.80", "area": "100.00"},
                  now=at(signed))
    statuses = (OPEN, OPEN, MISSED, MET, OPEN)
    for n, d in enumerate(session.scalars(select(Deadline).order_by(Deadline.id))):
        d.status = statuses[n % len(statuses)]
        d.due_date = TODAY + timedelta(days=n % 7 - 3)
        d.late = d.status == MET and n % 2 == 1
    session.commit()


def _reference(session, actor, wins):
    od, ds, lt = Counter(), Counter(), Counter()
    overdue_cases = set()
    for d in session.scalars(select(Deadline)):
        case = session.get(Case, d.case_id)
        if not may_see_case(actor, case):
            continue
        keys = {"street_office": case.estate.street_office_id, "community": case.estate.community_id,
                "estate": case.estate_id, "procedure": case.procedure, None: None}
        for g, k in keys.items():
            if queries.is_overdue(d, TODAY):
                od[g, k] += 1
                overdue_cases.add(case.id)
            if queries.is_due_soon(d, case.procedure, TODAY, wins):
                ds[g, k] += 1
            if d.status == MET and d.late:
                lt[g, k] += 1
    return od, ds, lt, overdue_cases


def test_counts_lists_and_ledgers_equal_the_definitions_per_deadline(session, district):
    _mixed(session, district)
    wins = alert_windows(None)
    for who in ("bureau", "street", "street2", "community", "enterprise"):
        actor = district.actor(who)
        od, ds, lt, overdue_cases = _reference(session, actor, wins)
        assert who != "bureau" or min(od[None, None], ds[None, None], lt[None, None]) > 0   # all three kinds occur
        assert queries.counts(session, actor, wins, today=TODAY) == \
            queries.Counts(od[None, None], ds[None, None], lt[None, None]), who
        for group in ("street_office", "community", "estate", "procedure"):
            want = sorted((k, od[g, k], ds[g, k]) for g, k in set(od) | set(ds) if g == group)
            assert sorted(queries.counts_by(session, actor, wins, group, today=TODAY)) == want, (who, group)
        unit, rows = queries.overdue_by_unit(session, actor, today=TODAY)
        if unit:
            assert {(k, n) for _, k, n in rows} == {(k, n) for (g, k), n in od.items() if g == unit}, who
        procs = {p.procedure: p.overdue for p in queries.procedure_counts(session, actor, today=TODAY)}
        cases = {c: session.get(Case, c) for c in overdue_cases}
        assert {p: n for p, n in procs.items() if n} == dict(Counter(c.procedure for c in cases.values())), who
        for proc in ("complaint", "contract_filing"):
            mine = {c for c, case in cases.items() if case.procedure == proc}
            rows, total = queries.ledger_entries(session, actor, proc, which="overdue", today=TODAY)
            assert total == len(mine) and {r[0].id for r in rows} == mine and all(r[2] for r in rows), who
            by_estate = {r.key: r.overdue for r in queries.ledger_counts(session, actor, proc, "estate", today=TODAY)}
            assert {k: n for k, n in by_estate.items() if n} == \
                dict(Counter(cases[c].estate_id for c in mine)), (who, proc)
            rows, total = queries.ledger_entries(session, actor, proc, today=TODAY, limit=2)
            assert total == sum(1 for c in session.scalars(select(Case).where(Case.procedure == proc))
                                if may_see_case(actor, c)) and len(rows) == min(2, total)
