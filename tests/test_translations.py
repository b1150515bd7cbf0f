"""English: the web's gettext catalog is complete and current, every declaration carries
its English, and the engine's bilingual texts keep both sides (docs/translations.md)."""
from __future__ import annotations

import copy
import io
import json
import pickle
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from engine.bilingual import Bi, embed, english, join

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = ROOT / "web" / "translations"
PO = CATALOGS / "en" / "LC_MESSAGES" / "messages.po"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="en")


def _source_ids() -> set[str]:
    """What `pybabel extract -F babel.cfg` finds in the sources now."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {msg[2] if isinstance(msg[2], str) else msg[2][0]
            for msg in extract_from_dir(str(ROOT), method_map, options_map)}


# -- the gettext catalog ------------------------------------------------------------------

def test_every_message_is_translated_and_none_is_fuzzy():
    cat = _catalog()
    untranslated = [m.id for m in cat if m.id and not m.string]
    fuzzy = [m.id for m in cat if m.id and m.fuzzy]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_translations_keep_their_placeholders_and_leave_chinese_behind():
    cat = _catalog()
    problems = [(m.id, [str(e) for e in errors]) for m, errors in cat.check() if errors]
    assert not problems, problems
    still_chinese = [(m.id, m.string) for m in cat if m.id and CJK.search(m.string)]
    assert not still_chinese, still_chinese


def test_the_catalog_is_current_with_the_sources():
    """Run the extract/update steps of docs/translations.md when this fails."""
    in_catalog = {m.id for m in _catalog() if m.id}
    in_sources = _source_ids()
    assert not in_sources - in_catalog, sorted(in_sources - in_catalog)
    assert not in_catalog - in_sources, sorted(in_catalog - in_sources)


def test_the_template_file_matches_the_catalog():
    with (CATALOGS / "messages.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    assert template == {m.id for m in _catalog() if m.id}


def test_catalogs_compile_once_and_where_the_package_cannot_be_written(tmp_path, monkeypatch):
    from babel.support import Translations
    from web import i18n
    source = tmp_path / "translations"
    (source / "en" / "LC_MESSAGES").mkdir(parents=True)
    po = source / "en" / "LC_MESSAGES" / "messages.po"
    po.write_bytes(PO.read_bytes())
    assert i18n.compile_catalogs(source) == source
    mo = po.with_suffix(".mo")
    assert Translations.load(str(source), ["en"]).gettext("登录") == "Sign in"
    compiled_at = mo.stat().st_mtime_ns
    i18n.compile_catalogs(source)
    assert mo.stat().st_mtime_ns == compiled_at          # current: not written again
    mo.unlink()
    monkeypatch.setattr(i18n.os, "access", lambda path, mode: False)   # a read-only install
    elsewhere = i18n.compile_catalogs(source, tmp_path / "instance")
    assert elsewhere == tmp_path / "instance" and not mo.exists()
    assert Translations.load(str(elsewhere), ["en"]).gettext("登录") == "Sign in"


def test_pages_speak_english_from_the_compiled_catalog(client):
    client.get("/lang/en")
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and "User name" in page and "登录" not in page


# -- the declarations ------------------------------------------------------------------------

def _fields(schema_cls):
    return schema_cls().fields.items() if schema_cls else ()


def _own_fact_label(step) -> bool:
    """A step that names its act's day names it in English too (not the default's)."""
    from engine.definition import Transition
    default = Transition.__dataclass_fields__
    if step.fact_label == default["fact_label"].default:
        return bool(step.fact_label_en)
    return bool(step.fact_label_en) and step.fact_label_en != default["fact_label_en"].default


def _missing_english(defn) -> list[str]:
    where = f"{defn.name} v{defn.version}"
    missing = []

    def need(ok, what):
        if not ok:
            missing.append(f"{where}: {what}")

    need(defn.title_en, "title_en")
    need(not defn.summary or defn.summary_en, "summary_en")
    need(defn.opening.label_en, "opening.label_en")
    need(_own_fact_label(defn.opening), "opening.fact_label_en")
    for s in defn.states:
        need(s.label_en, f"state {s.name}")
    schemas = [("opening", defn.opening.schema)]
    for t in defn.transitions:
        need(t.label_en, f"transition {t.trigger}")
        need(_own_fact_label(t), f"transition {t.trigger} fact_label_en")
        schemas.append((t.trigger, t.schema))
    for d in defn.deadlines:
        need(d.label_en, f"deadline {d.key}")
        need(not d.consequence or d.consequence_en, f"deadline {d.key} consequence_en")
    for m in defn.materials:
        need(m.label_en, f"material {m.key}")
    for doc in defn.documents:
        need(doc.title_en, f"document {doc.kind}")
    for owner, schema_cls in schemas:
        for name, f in _fields(schema_cls):
            if f.dump_only:
                continue
            meta = f.metadata
            need(meta.get("label_en"), f"{owner}.{name} label_en")
            need(not meta.get("help") or meta.get("help_en"), f"{owner}.{name} help_en")
            for key, label in (meta.get("choices") or {}).items():
                need(isinstance(label, Bi) and label.en, f"{owner}.{name} choice {key}")
    return missing


def test_every_declaration_shown_on_pages_has_its_english():
    from engine import registry
    import workflows  # noqa: F401
    missing = []
    for name, defn in registry.all_current().items():
        for version in range(1, defn.version + 1):
            missing += _missing_english(registry.get(name, version))
    assert not missing, missing


def test_the_engines_labels_are_bilingual():
    from engine import alerts, deadlines, documents, materials, roles, rulepacks, runtime
    from workflows.rules import estate_status
    statuses = dict(enumerate(estate_status.STATUSES))
    for table in (roles.ROLES, deadlines.STATUS_LABELS, materials.STATUS_LABELS,
                  documents.STATUS_LABELS, alerts.KIND_LABELS, rulepacks.PACKS, runtime.NOTES,
                  statuses):
        for key, label in table.items():
            assert isinstance(label, Bi) and label.en and not CJK.search(label.en), (key, label)


def test_the_engines_own_document_has_an_english_name():
    from engine.supervision import DOCUMENT
    assert DOCUMENT.title_en and not CJK.search(DOCUMENT.title_en)


# -- Bi -------------------------------------------------------------------------------------

def test_a_bilingual_text_is_its_chinese_everywhere_but_keeps_its_english():
    t = Bi("期限已届满", "the period has ended")
    assert t == "期限已届满" and json.dumps({"m": t}, ensure_ascii=False) == '{"m": "期限已届满"}'
    assert copy.deepcopy(t).en == pickle.loads(pickle.dumps(t)).en == "the period has ended"
    assert english(t) == "the period has ended" and english("锦绣花园") == "锦绣花园"
    quoted = Bi("「", "“") + t + Bi("」", "”")
    assert quoted == "「期限已届满」" and quoted.en == "“the period has ended”"
    assert ("#3 " + t).en == "#3 the period has ended"      # plain text is on both sides
    joined = join([t, Bi("须补正", "a correction is needed")])
    assert joined == "期限已届满；须补正" and joined.en == "the period has ended; a correction is needed"


def test_marshmallow_messages_keep_both_languages():
    from engine.schema import Choice, Count, PayloadSchema, Text, ValidationError

    class S(PayloadSchema):
        name = Text("名称", label_en="Name", max_length=3)
        n = Count("人数", minimum=1, label_en="Number")
        kind = Choice("类型", {"a": Bi("甲类", "kind A")}, label_en="Kind")

    with pytest.raises(ValidationError) as exc:
        S().load({"name": "abcd", "n": 0, "kind": "b"})
    errors = exc.value.normalized_messages()
    assert [english(m) for m in errors["name"]] == ["At most 3 characters"]
    assert [english(m) for m in errors["n"]] == ["Must be greater than or equal to 1"]
    assert [english(m) for m in errors["kind"]] == ["Must be one of: kind A"]
    assert errors["kind"] == ["应为以下之一：甲类"]


def test_a_refusal_quotes_what_the_user_wrote_as_data(app):
    from flask import session
    from web.i18n import tr
    reason = Bi("已退回（缺钥匙），待重新提交", f"returned ({embed('缺钥匙 <b>')}); submit again")
    with app.test_request_context():
        session["lang"] = "en"
        shown = tr(reason)
        assert str(shown) == 'returned (<span translate="no">缺钥匙 &lt;b&gt;</span>); submit again'
        session["lang"] = "zh"
        assert tr(reason) == "已退回（缺钥匙），待重新提交"


def test_a_refused_holiday_file_is_explained_in_english(client, district):
    from tests.helpers import login
    login(client, "admin")
    client.get("/lang/en")
    bad = ('year = 2027\nnotice = "n"\n[[holidays]]\nname = "春节"\n'
           'rest_from = 2027-02-10\nrest_to = 2027-02-01\n').encode()
    r = client.post("/admin/calendar", data={"file": (io.BytesIO(bad), "bad.toml")},
                    content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert ('Import failed: holiday 1 (<span translate="no">春节</span>): the last rest day '
            '2027-02-01 is before the first 2027-02-10') in page


def test_the_english_api_description_has_no_chinese_prose(client):
    """/api/v1/docs in English reads /api/v1/openapi.json?lang=en: every title, summary and
    description of it (the prose the documentation page shows or folds away) is English;
    the API's own description stays Chinese."""
    spec = client.get("/api/v1/openapi.json?lang=en").get_json()
    chinese = []

    def walk(node, where):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("title", "summary", "description") and isinstance(v, str):
                    if CJK.search(v):
                        chinese.append(f"{where}.{k}: {v}")
                else:
                    walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")
    walk(spec, "")
    assert spec["paths"] and not chinese, chinese
    assert CJK.search(client.get("/api/v1/openapi.json").get_json()["info"]["description"])
