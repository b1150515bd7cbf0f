"""The register: importing a district of 10,000 estates from its 调度表 (XLSX; the dry run
and the all-or-nothing apply, each change with its history row and evidence leaf), and
the daily scan of the register's own duties over 100,000 estates (committee terms,
unfiled contracts, contract terms), on SQLite and, when a server is configured, on
PostgreSQL.

Data for the scan, bulk-inserted with Core into a throwaway database: 100,000 estates
with an owners' committee in office each (terms ending over the next five years) and a
contract each (one in twenty signed and never filed, terms ending over the next three
years), so about 5 % of the committees and 8 % of the contracts are within their
90-day window and 5,000 contracts are unfiled.
"""
from __future__ import annotations

import io
import os
import tempfile
import time
from datetime import date, datetime, time as dtime, timedelta

from sqlalchemy import insert, text

from engine.db import make_engine, make_sessionmaker, upgrade
from engine.legaltime import TZ

N_IMPORT = int(os.environ.get("BENCH_REGISTER_IMPORT", 10_000))
N_ESTATES = int(os.environ.get("BENCH_REGISTER_ESTATES", 100_000))
TODAY = date(2026, 11, 23)
NOW = datetime.combine(TODAY, dtime(8), TZ)


def _district(url: str):
    from web.demo import build_district
    upgrade(url)
    eng = make_engine(url)
    s = make_sessionmaker(eng)()
    d = build_district(s)
    return eng, s, d


def _sheet(n: int) -> bytes:
    from openpyxl import Workbook
    from engine.register_io import COLUMNS
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("调度表")
    ws.append(list(COLUMNS))
    ents = ("信阳安居物业服务有限公司", "信阳宜家物业管理有限公司")
    for i in range(n):
        ent = ents[i % 2] if i % 10 else ""
        ws.append([f"社区{i % 40}", f"小区{i:05d}", 1 + i % 3, ent,
                   "外聘物业服务企业" if ent else "无物业管理", "2020-05-01" if ent else "",
                   "全委托" if ent else "", "张经理", "0376-1234567", "", f"{20000 + i}.50", 100 + i % 900])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _import(url: str, backend: str) -> list[tuple]:
    from engine.register_io import import_register
    eng, s, d = _district(url)
    data = _sheet(N_IMPORT)
    street = d.actor("street")
    t0 = time.perf_counter()
    dry = import_register(s, street, data, apply=False, now=NOW)
    t_dry = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = import_register(s, street, data, apply=True, now=NOW)
    t_apply = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = import_register(s, street, data, apply=True, now=NOW)
    t_again = time.perf_counter() - t0
    s.close()
    eng.dispose()
    kb = len(data) // 1024
    return [
        (f"{backend}: import dry run, {N_IMPORT:,} estates", round(t_dry, 1), "s",
         f"{dry.created:,} to create, {len(dry.errors)} errors; XLSX {kb:,} KB"),
        (f"{backend}: import apply, {N_IMPORT:,} estates", round(t_apply, 1), "s",
         f"{res.created:,} created, one transaction; {N_IMPORT / t_apply:,.0f} estates/s with history and evidence"),
        (f"{backend}: the same file again", round(t_again, 1), "s",
         f"{again.unchanged:,} unchanged, {again.changed} changed"),
    ]


def _populate(url: str) -> None:
    from engine.models import Estate, Organisation
    from engine.register_models import Committee, Contract
    upgrade(url)
    eng = make_engine(url)
    with eng.begin() as c:
        bureau = c.execute(insert(Organisation).values(name="区住建局", kind="housing_bureau")).inserted_primary_key[0]
        streets = [c.execute(insert(Organisation).values(name=f"街道{i}", kind="street_office",
                                                         parent_id=bureau)).inserted_primary_key[0]
                   for i in range(20)]
        ents = [c.execute(insert(Organisation).values(name=f"物业{i}", kind="enterprise")).inserted_primary_key[0]
                for i in range(200)]
        chunk = 10_000
        for lo in range(0, N_ESTATES, chunk):
            hi = min(N_ESTATES, lo + chunk)
            orgs = [dict(name=f"小区{i}业主委员会", kind="committee", parent_id=streets[i % 20])
                    for i in range(lo, hi)]
            c.execute(insert(Organisation), orgs)
        first_committee = c.execute(text("SELECT min(id) FROM organisations WHERE kind = 'committee'")).scalar()
        for lo in range(0, N_ESTATES, chunk):
            hi = min(N_ESTATES, lo + chunk)
            c.execute(insert(Estate), [dict(id=i + 1, name=f"小区{i}", province="河南省" if i % 5 else "山东省",
                                            address="", bureau_id=bureau, street_office_id=streets[i % 20],
                                            committee_id=first_committee + i, enterprise_id=ents[i % 200])
                                       for i in range(lo, hi)])
            created = datetime(2026, 1, 1, tzinfo=TZ)
            c.execute(insert(Committee), [dict(
                estate_id=i + 1, organisation_id=first_committee + i, kind="owners", status="active",
                term_start=TODAY - timedelta(days=5 * 365 - i % 1826), term_end=TODAY + timedelta(days=i % 1826),
                term_basis="", certificate="", created_at=created) for i in range(lo, hi)])
            c.execute(insert(Contract), [dict(
                kind="assembly", estate_id=i + 1, enterprise_id=ents[i % 200], contract_no=f"HT-{i}",
                signed_on=TODAY - timedelta(days=30 + i % 700), term_start=TODAY - timedelta(days=i % 700),
                term_end=TODAY + timedelta(days=i % 1095), filing_status="unfiled" if i % 20 == 0 else "on_file",
                receipt="", created_at=created) for i in range(lo, hi)])
    with eng.connect() as c:
        c.execute(text("ANALYZE"))
        c.commit()
    eng.dispose()


def _scan(url: str, backend: str) -> list[tuple]:
    from engine import register_duties
    t0 = time.perf_counter()
    _populate(url)
    load = time.perf_counter() - t0
    eng = make_engine(url)
    Session = make_sessionmaker(eng)
    rows = [(f"{backend}: load {N_ESTATES:,} estates' register", round(load, 1), "s",
             "a committee in office and a contract each (Core)")]
    with Session() as s:
        t0 = time.perf_counter()
        duties = register_duties.open_duties(s, TODAY)
        t_find = time.perf_counter() - t0
    by = {}
    for d in duties:
        by[d.key] = by.get(d.key, 0) + 1
    rows.append((f"{backend}: find the register's duties", round(t_find, 2), "s",
                 f"over {N_ESTATES:,} estates: " + ", ".join(f"{k} {v:,}" for k, v in sorted(by.items()))))
    with Session() as s:
        t0 = time.perf_counter()
        out = register_duties.scan(s, TODAY, NOW)
        t_scan = time.perf_counter() - t0
    rows.append((f"{backend}: scan and write their alerts", round(t_scan, 2), "s",
                 f"{out['register_alerts']:,} alerts written, each an evidence leaf"))
    with Session() as s:
        t0 = time.perf_counter()
        again = register_duties.scan(s, TODAY, NOW + timedelta(hours=1))
        t_again = time.perf_counter() - t0
    rows.append((f"{backend}: repeated scan, nothing new", round(t_again, 2), "s",
                 f"{again['register_alerts']} alerts written"))
    eng.dispose()
    return rows


def run() -> list[tuple]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _import(f"sqlite:///{tmp}/bench_register_import.db", "sqlite")
        rows += _scan(f"sqlite:///{tmp}/bench_register_scan.db", "sqlite")
    server = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if server and server.startswith("postgresql"):
        from bench.pgutil import fresh_database
        with fresh_database(server, "bench_register") as url:
            rows += _import(url, "postgresql")
        with fresh_database(server, "bench_register_scan") as url:
            rows += _scan(url, "postgresql")
    return rows


if __name__ == "__main__":
    for r in run():
        print(*r, sep="\t")
