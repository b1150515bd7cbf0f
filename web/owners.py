"""The owners' decision platform in the browser.

For owners (`/vote`, mobile first, no staff account): sign in with the voting code from
the paper notice and the last four characters of the ID number, see the unit and the
matters, vote 同意 / 不同意 / 弃权 per matter, get a receipt code, and check a receipt
(`/vote/receipt`) against what is counted. An owner sees only the unit its code opens.

For the estate's keepers and the vote's organisers (signed in): the owners' register
(`/estates/<id>/owners`: units with masked ID numbers, totals derived by arts. 8-9, XLSX
import and its template), and a vote's live turnout (`/votes/<case>/turnout`: area and
head count against the quorum, each matter as it would be counted now, paper entry by
two clerks and the mismatches, voting codes for the paper notices as XLSX).
"""
from __future__ import annotations

import io

from flask import (Blueprint, Flask, abort, flash, redirect, render_template, request, send_file,
                   session, url_for)
from flask_login import login_required
from sqlalchemy import func, select

from engine import ballots, clock, owners_register as reg
from engine.access import may_see_estate
from engine.errors import EngineError, PayloadInvalid
from engine.models import Case, Estate
from web.auth import current_actor
from web.db import get_session
from web.i18n import _, tr
from workflows import owners_vote
from workflows.rules.owners import AREA_SOURCES, CHOICES, DELIVERY, counted_area, totals, units_of

vote_bp = Blueprint("vote", __name__, url_prefix="/vote")
bp = Blueprint("owners", __name__)

VOTER = "voter"
VIEWERS = ("street_office", "committee", "community", "housing_bureau", "admin")


def _message(exc: EngineError) -> str:
    if isinstance(exc, PayloadInvalid):
        return "；".join(str(tr(m)) for msgs in exc.errors.values() for m in msgs)
    return str(tr(exc.message))


# -- owners --------------------------------------------------------------------------------

@vote_bp.route("/", methods=["GET", "POST"])
def signin():
    if request.method == "POST":
        s = get_session()
        try:
            voter = ballots.sign_in(s, request.form.get("code", ""), request.form.get("id_tail", ""),
                                    request.remote_addr)
        except ballots.Throttled as exc:
            resp = render_template("vote/signin.html", error=_message(exc)), 429
            return resp[0], 429, {"Retry-After": str(exc.retry_after)}
        except EngineError as exc:
            return render_template("vote/signin.html", error=_message(exc)), 403
        session[VOTER] = {"case": voter.case_id, "unit": voter.unit_id}
        return redirect(url_for("vote.ballot"))
    return render_template("vote/signin.html", error="")


def _voter() -> ballots.Voter | None:
    v = session.get(VOTER)
    if not isinstance(v, dict):
        return None
    return ballots.Voter(int(v["case"]), int(v["unit"]))


@vote_bp.route("/ballot", methods=["GET", "POST"])
def ballot():
    voter = _voter()
    if voter is None:
        return redirect(url_for("vote.signin"))
    s = get_session()
    if request.method == "POST":
        case = s.get(Case, voter.case_id)
        choices = {str(m["no"]): request.form.get(f"m{m['no']}") for m in case.data["matters"]
                   if request.form.get(f"m{m['no']}")}
        try:
            receipt = ballots.cast(s, voter, choices)
        except EngineError as exc:
            flash(_message(exc), "error")
        else:
            if receipt:
                session["receipt"] = receipt
                flash(_("已投票。回执码：%(code)s（请保存，可用于核对本人表决票是否按所投计入）", code=receipt), "ok")
            else:
                flash(_("表决票与上次相同，未重复记录"), "ok")
        return redirect(url_for("vote.ballot"))
    case = s.get(Case, voter.case_id)
    unit = s.get(reg.RegisterUnit, voter.unit_id)
    mine = ballots.unit_ballots(s, voter.case_id, voter.unit_id)
    current = {}
    for b in mine:
        if b.valid and (b.matter not in current or b.channel != "online"):
            current[b.matter] = b
    return render_template("vote/ballot.html", case=case, unit=unit, current=current,
                           choices=CHOICES, mask=reg.mask, receipt=session.get("receipt"),
                           open_now=bool(case.data.get("accepting_ballots")))


@vote_bp.route("/receipt", methods=["GET", "POST"])
def receipt():
    found, counted, code = [], set(), (request.values.get("code") or "").strip().upper()
    if code:
        s = get_session()
        found = ballots.by_receipt(s, code)
        if found:
            case = s.get(Case, found[0].case_id)
            rows = reg.plain_units(s, case.estate_id)
            eff = owners_vote.effective(rows, ballots.plain_ballots(s, case.id))
            counted = {b["id"] for per in eff.values() for b in per.values()}
    return render_template("vote/receipt.html", code=code, found=found, counted=counted, choices=CHOICES)


@vote_bp.post("/signout")
def signout():
    session.pop(VOTER, None)
    session.pop("receipt", None)
    return redirect(url_for("vote.signin"))


# -- keepers and organisers -------------------------------------------------------------------

def _estate(estate_id: int) -> Estate:
    estate = get_session().get(Estate, estate_id)
    if estate is None or current_actor().role not in VIEWERS or not may_see_estate(current_actor(), estate):
        abort(404)
    return estate


def _votes_of(estate_id: int) -> list[Case]:
    return list(get_session().scalars(select(Case).where(
        Case.estate_id == estate_id, Case.procedure == owners_vote.NAME).order_by(Case.id.desc())))


@bp.route("/owners/")
@login_required
def index():
    """The estates whose registers and votes the signed-in official may see."""
    actor = current_actor()
    if actor.role not in VIEWERS:
        abort(404)
    from engine.access import visible_estates
    s = get_session()
    estates = list(s.scalars(visible_estates(actor)))
    counts = dict(s.execute(select(reg.RegisterUnit.estate_id, func.count()).where(
        reg.RegisterUnit.estate_id.in_([e.id for e in estates])).group_by(reg.RegisterUnit.estate_id)).all())
    return render_template("owners/index.html", estates=estates, counts=counts)


@bp.route("/estates/<int:estate_id>/owners")
@login_required
def register(estate_id: int):
    estate = _estate(estate_id)
    s = get_session()
    units = reg.units(s, estate.id)
    derived = totals(units_of(reg.plain_units(s, estate.id))) if units else None
    return render_template("owners/register.html", estate=estate, units=units, derived=derived,
                           counted_area=counted_area, sources=AREA_SOURCES, delivery=DELIVERY,
                           mask=reg.mask, votes=_votes_of(estate.id), columns=reg.COLUMNS)


@bp.post("/estates/<int:estate_id>/owners/import")
@login_required
def import_register(estate_id: int):
    estate = _estate(estate_id)
    f = request.files.get("file")
    if f is None or not f.filename:
        flash(_("请选择要导入的业主名册文件（.xlsx）"), "error")
        return redirect(url_for("owners.register", estate_id=estate.id))
    try:
        res = reg.import_xlsx(get_session(), estate.id, f.read(), current_actor(),
                              dry_run=bool(request.form.get("dry_run")))
    except EngineError as exc:
        flash(_message(exc), "error")
        return redirect(url_for("owners.register", estate_id=estate.id))
    if not res.ok:
        for e in res.errors[:50]:
            flash(e, "error")
        flash(_("业主名册有误，未导入任何内容；请按提示修改后重新导入"), "error")
    elif res.dry_run:
        flash(_("校验通过（未导入）：新增 %(c)s 套，更新 %(u)s 套，未变 %(n)s 套",
                c=res.created, u=res.updated, n=res.unchanged), "ok")
    else:
        flash(_("已导入：新增 %(c)s 套，更新 %(u)s 套，未变 %(n)s 套",
                c=res.created, u=res.updated, n=res.unchanged), "ok")
    return redirect(url_for("owners.register", estate_id=estate.id))


@bp.route("/estates/<int:estate_id>/owners/template.xlsx")
@login_required
def register_template(estate_id: int):
    _estate(estate_id)
    return send_file(io.BytesIO(reg.template_xlsx()), download_name="业主名册模板.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True)


def _vote_case(case_id: int) -> Case:
    case = get_session().get(Case, case_id)
    if case is None or case.procedure != owners_vote.NAME:
        abort(404)
    _estate(case.estate_id)
    return case


@bp.route("/votes/<int:case_id>/turnout")
@login_required
def turnout(case_id: int):
    case = _vote_case(case_id)
    s = get_session()
    rows = reg.plain_units(s, case.estate_id)
    live = owners_vote.count(case.data["matters"], rows, ballots.plain_ballots(s, case.id)) if rows else None
    return render_template("owners/turnout.html", case=case, live=live,
                           mismatches=ballots.mismatches(s, case.id), choices=CHOICES,
                           counted_at=clock.now())


@bp.post("/votes/<int:case_id>/paper")
@login_required
def paper(case_id: int):
    case = _vote_case(case_id)
    choices = {str(m["no"]): request.form.get(f"m{m['no']}") for m in case.data["matters"]
               if request.form.get(f"m{m['no']}")}
    place = (request.form.get("place") or "").strip()
    unit = next((u for u in reg.units(get_session(), case.estate_id) if u.place == place), None)
    if unit is None:
        flash(_("本物业管理区域没有房屋 %(place)s", place=place), "error")
        return redirect(url_for("owners.turnout", case_id=case.id))
    try:
        out = ballots.enter_paper(get_session(), case.id, current_actor(), unit.id,
                                  choices, sheet_no=request.form.get("sheet_no", ""))
    except EngineError as exc:
        flash(_message(exc), "error")
    else:
        flash({"waiting": _("已录入，等待另一名录入员独立录入"),
               "agreed": _("两次录入一致，纸质表决票已计入"),
               "mismatch": _("两次录入不一致，已列入待核对清单")}[out["status"]],
              "ok" if out["status"] != "mismatch" else "error")
    return redirect(url_for("owners.turnout", case_id=case.id))


@bp.post("/votes/<int:case_id>/codes")
@login_required
def codes(case_id: int):
    case = _vote_case(case_id)
    try:
        issued = ballots.issue_codes(get_session(), case.id, current_actor())
    except EngineError as exc:
        flash(_message(exc), "error")
        return redirect(url_for("owners.turnout", case_id=case.id))
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "投票码"
    ws.append(["房屋", "投票码"])
    for unit, code in issued:
        ws.append([unit.place, code])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return send_file(buf, download_name=f"投票码-{case.id}.xlsx", as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def init_app(app: Flask) -> None:
    app.register_blueprint(vote_bp)
    app.register_blueprint(bp)
