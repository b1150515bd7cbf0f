"""台账 (ledgers): the cases of the procedures declared as registers (`Procedure.ledger`:
the complaint register, the problem ledger), by street office, community, estate,
enterprise and category, with open, closed and overdue counts and a chart; the entries
behind each count; the weekly dispatch report (一周一调度、一周一通报) as XLSX; and the
inspection checklists (自查表) as XLSX in the table's own layout.

Every count comes from engine.queries (jurisdiction in SQL); a department sees only what
was transferred to it, an enterprise only its own entries.
"""
from __future__ import annotations

import io
from datetime import date, timedelta

from flask import Blueprint, Flask, abort, render_template, request, send_file, url_for
from flask_login import login_required
from markupsafe import Markup, escape

from engine import clock, queries, registry
from engine.errors import NotFound
from web.auth import current_actor
from web.db import get_session
from web.i18n import N_, _, label_of, proc_title, state_label, tr
from workflows.rules.checklists import TEMPLATES

bp = Blueprint("ledger", __name__, url_prefix="/ledgers")

GROUPS = {"street_office": N_("街道办事处"), "community": N_("社区"), "estate": N_("物业管理区域"),
          "enterprise": N_("物业服务企业"), "category": N_("事项类别")}
WHICH = {"": N_("全部"), "open": N_("未办结"), "finished": N_("已办结（销号）"), "overdue": N_("逾期")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledgers() -> dict:
    return {n: d for n, d in sorted(registry.all_current().items()) if d.ledger}


def _defn(name: str):
    d = ledgers().get(name)
    if d is None:
        abort(404)
    return d


def _choices(defn, key: str) -> dict:
    """The labels of an opening field's choices (a complaint's categories)."""
    schema = defn.opening.schema
    f = schema().fields.get(key) if schema is not None else None
    return (f.metadata.get("choices") or {}) if f is not None else {}


def _names(session, defn, group: str, keys) -> dict:
    if group == "category":
        ch = _choices(defn, "category")
        return {k: tr(ch.get(k, k)) for k in keys if k}
    unit = "street_office" if group == "enterprise" else group     # organisations by id
    return queries.names_of(session, unit, keys)


def chart(rows, title: str) -> Markup:
    """Stacked bars per group: closed (grey), open (blue), of which overdue (red)."""
    rows = rows[:12]
    if not rows:
        return Markup("")
    lw, bw, rh, top = 170, 360, 24, 26
    peak = max(r.total for r in rows) or 1
    h = top + rh * len(rows) + 8
    out = [f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lw + bw + 60} {h}" '
           f'width="{lw + bw + 60}" height="{h}" style="max-width:100%;height:auto" aria-label="{escape(title)}">'
           f'<title>{escape(title)}</title>']
    for i, (color, text) in enumerate((("#b3261e", _("逾期")), ("#3b6fb6", _("未办结")), ("#9e9e9e", _("已办结（销号）")))):
        out.append(f'<rect x="{lw + i * 110}" y="6" width="12" height="12" fill="{color}"/>'
                   f'<text x="{lw + i * 110 + 16}" y="16" font-size="12">{escape(text)}</text>')
    for i, r in enumerate(rows):
        y = top + i * rh
        name = r.label if len(r.label) <= 12 else r.label[:11] + "…"
        out.append(f'<text x="{lw - 6}" y="{y + 14}" font-size="13" text-anchor="end" translate="no">{escape(name)}</text>')
        x = lw
        for n, color in ((r.overdue, "#b3261e"), (r.running - r.overdue, "#3b6fb6"), (r.closed, "#9e9e9e")):
            w = round(bw * n / peak)
            if w:
                out.append(f'<rect x="{x}" y="{y + 3}" width="{w}" height="14" fill="{color}"><title>{n}</title></rect>')
            x += w
        out.append(f'<text x="{x + 4}" y="{y + 14}" font-size="11">{r.total}</text>')
    out.append("</svg>")
    return Markup("".join(out))


@bp.get("/")
@login_required
def index():
    actor, s = current_actor(), get_session()
    today = clock.today()
    cards = []
    for name, defn in ledgers().items():
        rows = queries.ledger_counts(s, actor, name, "street_office", today=today)
        cards.append((name, proc_title(defn), sum(r.total for r in rows), sum(r.running for r in rows),
                      sum(r.overdue for r in rows)))
    return render_template("ledger/index.html", cards=cards, templates=TEMPLATES, today=today)


@bp.get("/<string(maxlength=40):name>")
@login_required
def ledger(name):
    defn = _defn(name)
    actor, s = current_actor(), get_session()
    today = clock.today()
    group = request.args.get("by", "street_office")
    if group not in GROUPS:
        abort(404)
    which = request.args.get("which", "")
    if which not in WHICH:
        abort(404)
    rows = queries.ledger_counts(s, actor, name, group, today=today)
    names = _names(s, defn, group, [r.key for r in rows])
    for r in rows:
        r.label = names.get(r.key) or (str(r.key) if r.key is not None else _("（未登记）"))
    key = request.args.get("key")
    if key is not None and group != "category":
        key = int(key) if key.isdigit() else None
    entries, total = queries.ledger_entries(s, actor, name, group=group if "key" in request.args else "",
                                            key=key, which=which, today=today)
    return render_template("ledger/list.html", defn=defn, name=name, rows=rows, group=group, groups=GROUPS,
                           which=which, whiches=WHICH, entries=entries, total=total, key=request.args.get("key"),
                           chart=chart(rows, _("按%(dimension)s统计", dimension=_(GROUPS[group]))),
                           state_label=state_label, today=today, category=_choices(defn, "category"), tr=tr)


def _sheet_header(ws, cells):
    from openpyxl.styles import Alignment, Font
    ws.append(cells)
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="center")


def _send(wb, filename: str):
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return send_file(buf, mimetype=XLSX, as_attachment=True, download_name=filename)


@bp.get("/<string(maxlength=40):name>/weekly.xlsx")
@login_required
def weekly(name):
    """一周一调度、一周一通报: this week's new and closed entries and every open one, with a
    summary by street office."""
    from openpyxl import Workbook
    defn = _defn(name)
    actor, s = current_actor(), get_session()
    today = clock.today()
    since = today - timedelta(days=7)
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([f"{defn.title} 周调度通报（{since.isoformat()} 至 {today.isoformat()}）"])
    _sheet_header(ws, ["街道办事处", "合计", "未办结", "逾期", "已办结（销号）"])
    rows = queries.ledger_counts(s, actor, name, "street_office", today=today)
    names = queries.names_of(s, "street_office", [r.key for r in rows])
    for r in rows:
        ws.append([names.get(r.key, "—"), r.total, r.running, r.overdue, r.closed])
    detail = wb.create_sheet("台账明细")
    _sheet_header(detail, ["案件编号", "物业管理区域", "状态", "逾期", "最近期限", "登记日期", "事项", "本周新增", "本周更新"])
    entries, _total = queries.ledger_entries(s, actor, name, today=today, limit=5000)
    cats = _choices(defn, "category")
    for case, estate, late, nxt in entries:
        d = case.data or {}
        what = d.get("problem") or d.get("content") or ""
        if d.get("category"):
            what = f"【{cats.get(d['category'], d['category'])}】{what}"
        created = case.created_at.date()
        detail.append([case.id, estate.name, state_label(defn, case.state), "是" if late else "否",
                       nxt.isoformat() if nxt else "", created.isoformat(), what[:500],
                       "是" if created >= since else "", "是" if case.updated_at.date() >= since else ""])
    for sheet, widths in ((ws, (24, 10, 10, 10, 14)), (detail, (10, 22, 20, 8, 12, 12, 60, 10, 10))):
        for i, w in enumerate(widths):
            sheet.column_dimensions[chr(65 + i)].width = w
    return _send(wb, f"weekly-{name}-{today.isoformat()}.xlsx")


@bp.get("/checklists/<string(maxlength=60):key>.xlsx")
@login_required
def checklist(key):
    """The self-inspection table (自查表) in its layout: parts, numbered questions, and the
    columns an inspected enterprise fills in."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    t = TEMPLATES.get(key)
    if t is None:
        abort(404)
    wb = Workbook()
    ws = wb.active
    ws.title = "自查表"
    ws.append([str(t.title)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"来源：{t.source}"])
    ws.append(["物业管理区域：", "", "物业服务企业：", "", "自查日期：", ""])
    _sheet_header(ws, ["序号", "检查项目", "检查内容", "检查结果（符合/不符合/不适用）", "存在问题", "整改措施", "整改时限", "责任人"])
    n = 0
    for part in t.parts:
        for item in part.items:
            n += 1
            ws.append([n, str(part.label), item.question, "", "", "", "", ""])
            ws.cell(ws.max_row, 3).alignment = Alignment(wrap_text=True)
    for i, w in enumerate((6, 18, 60, 16, 24, 24, 12, 10)):
        ws.column_dimensions[chr(65 + i)].width = w
    return _send(wb, f"checklist-{key}.xlsx")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
