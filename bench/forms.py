"""Printed forms: time to render a one-page CJK form (the contract-filing receipt, built
from a real case through the issuer's own context) and a Latin-only page of the same
layout (same stylesheet, seal, QR code and table, Latin text in DejaVu Serif) in the
same run; their ratio; the CJK PDF's size; the PAdES signature's extra time."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import date, datetime, time as dtime, timezone
from pathlib import Path

ROUNDS = 15


def _p50(fn, rounds: int = ROUNDS) -> tuple[float, object, float]:
    """(wall-clock p50 ms, last result, CPU-time p50 ms). The CPU figure is the one to
    read on a loaded machine: it is what the render costs, not what it waited for."""
    out = fn()                           # warm-up (font registration, imports)
    times, cpu = [], []
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times) * 1000, out, statistics.median(cpu) * 1000


def _receipt_context(tmp: Path):
    from engine import files, runtime
    from engine.db import make_engine, make_sessionmaker, upgrade
    from engine.legaltime import TZ
    from forms.issuer import build_context
    from forms.kinds import KINDS
    from web.demo import build_district
    import workflows  # noqa: F401

    def at(d):
        return datetime.combine(d, dtime(10), TZ).astimezone(timezone.utc)

    url = f"sqlite:///{tmp / 'bench_forms.db'}"
    upgrade(url)
    files.configure(tmp / "uploads")
    s = make_sessionmaker(make_engine(url))()    # no issuers: build the case only
    d = build_district(s)
    ent = d.actor("enterprise")
    case = runtime.open_case(s, "contract_filing", d.estates["jinxiu"].id, ent, {
        "contract_kind": "pre_phase", "contract_no": "XY-QQ-2026-001", "client": "信阳城投置业有限公司",
        "signed_on": "2026-09-20", "term_start": "2026-10-01", "term_end": "2029-09-30",
        "fee": "1.80", "area": "86420.50"}, now=at(date(2026, 9, 21)))
    runtime.advance(s, case.id, "submit", ent, {}, now=at(date(2026, 9, 25)))
    case = runtime.advance(s, case.id, "accept", d.actor("bureau"), {"remark": "材料齐全，予以备案"},
                           now=at(date(2026, 10, 8)))
    from engine.models import Event
    from sqlalchemy import select
    ev = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq.desc())).first()
    k = KINDS["contract_filing_receipt"]
    ctx = build_context(s, case, ev, k, org=d.orgs["bureau"], serial="浉住建备〔2026〕12号",
                        code="ABCDE23456", issued_at=at(date(2026, 10, 8)), actor=d.actor("bureau"))
    return s, d, k, ctx


LATIN_ROWS = [("Property-management area", "Jinxiu Garden (18 Wenhua Road, Shihe District)"),
              ("Contract type", "Pre-phase property-service contract"),
              ("Contract number", "XY-QQ-2026-001"), ("Client", "Xinyang Urban Investment Ltd."),
              ("Service enterprise", "Xinyang Anju Property Services Co., Ltd."),
              ("Signed on", "20 September 2026"), ("Term", "1 October 2026 to 30 September 2029"),
              ("Fee", "1.80 yuan per square metre and month"), ("Area", "86,420.50 square metres"),
              ("Review", "Complete; filed"), ("Filed on", "8 October 2026")]


def _latin_html(qr_src: str) -> str:
    from html import escape

    from forms import render, seal
    css = (render.TEMPLATES / "form.css").read_text("utf-8")
    seal_src = seal.seal_src("SHIHE HOUSING BUREAU", "DejaVu Serif")
    rows = "".join(f"<tr><th>{escape(a)}</th><td>{escape(b)}</td></tr>" for a, b in LATIN_ROWS)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Filing receipt</title>
<style>{css} body {{ font-family: 'DejaVu Serif', serif; }}</style></head><body>
<header class="masthead"><div class="org">Shihe District Housing Bureau</div>
<div class="serial">SHB-F (2026) No. 12</div><div class="rule"></div></header>
<h1 class="title">Receipt of Filing of a Property-Service Contract</h1>
<p class="to">Xinyang Anju Property Services Co., Ltd.:</p>
<p class="para">The filing materials of the pre-phase property-service contract of Jinxiu Garden
(contract number XY-QQ-2026-001) that you submitted have been received. Having reviewed them,
the materials are complete and comply with the rules; the contract is filed as follows:</p>
<table class="facts">{rows}</table><p class="closing">This receipt is issued accordingly.</p>
<div class="basis"><span class="lab">Legal basis: </span>Henan Property Management Regulations,
art. 49(3): the enterprise files the contract within fifteen days of signing.</div>
<div class="sign"><div class="sign-org">Shihe District Housing Bureau</div>
<div class="sign-date">8 October 2026</div><img class="seal" src="{seal_src}"></div>
<div class="verify"><table><tr><td class="qr"><img class="qr" src="{qr_src}"></td><td class="txt">
<div>Verification code <span class="code">ABCDE-23456</span></div>
<div>Scan the QR code or visit http://127.0.0.1:5000/verify/ABCDE23456 to check this document.</div>
</td></tr></table></div></body></html>"""


def run() -> list[tuple]:
    from forms import fonts, render, signing

    rows = []
    problems = fonts.environment_problems()
    with tempfile.TemporaryDirectory() as tmp:
        s, d, k, ctx = _receipt_context(Path(tmp))
        try:
            html = render.render_html(k.template, ctx)
            cjk_ms, pdf, cjk_cpu = _p50(lambda: render.html_to_pdf(html))
            tmpl_ms, _, _ = _p50(lambda: render.render_html(k.template, ctx))
            latin = _latin_html(ctx["qr_src"])
            lat_ms, lat_pdf, lat_cpu = _p50(lambda: render.html_to_pdf(latin))
            cert, key = signing.make_self_signed("浉河区住房和城乡建设局")
            sign_ms, signed, _ = _p50(lambda: signing.sign_pdf(pdf, cert, key,
                                                                signer_name="浉河区住房和城乡建设局"),
                                      rounds=7)
            load = os.getloadavg()[0]
        finally:
            s.close()
    note = "HarfBuzz subsetter, trimmed Noto Serif CJK" if not problems else "; ".join(problems)
    rows.append(("one-page CJK form, p50 render", round(cjk_ms, 1), "ms",
                 f"contract-filing receipt, target <= 150 ms; {note}; load avg {load:.1f}"))
    rows.append(("one-page CJK form, p50 CPU time", round(cjk_cpu, 1), "ms",
                 "the same renders, CPU time of this process (unaffected by other load)"))
    rows.append(("Latin-only page, same layout, p50", round(lat_ms, 1), "ms", "DejaVu Serif, same run"))
    rows.append(("Latin-only page, p50 CPU time", round(lat_cpu, 1), "ms", ""))
    rows.append(("CJK / Latin render time", round(cjk_ms / lat_ms, 2), "x", "target <= 2"))
    rows.append(("CJK form PDF size", round(len(pdf) / 1024, 1), "KB", "target <= 300 KB"))
    rows.append(("template (Jinja) render, p50", round(tmpl_ms, 2), "ms", "HTML only"))
    rows.append(("PAdES signature, p50", round(sign_ms, 1), "ms",
                 f"pyHanko, ECDSA P-256; signed size {round(len(signed) / 1024, 1)} KB"))
    return rows


if __name__ == "__main__":
    for r in run():
        print(*r)
