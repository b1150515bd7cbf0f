"""The repository explains itself: docs/procedures.md describes every procedure the code
declares, every article the declarations quote is quoted there in its own words and
paragraph, and nothing points outside the repository for what the code cites."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from workflows import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PROCEDURES = (DOCS / "procedures.md").read_text(encoding="utf-8")

# The texts docs/procedures.md quotes in full; other documents (guidelines, measures,
# local rules) are cited 待核实 and have no text to compare with.
LOADED = ("民法典", "物业管理条例", "河南省物业管理条例", "山东省物业管理条例", "招标投标法")
CN = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}
CITED = re.compile(r"《(?P<law>[^》]+)》(?P<art>第[零一二三四五六七八九十百千]+条)"
                   r"(?:第(?P<para>[一二三四五六七八九十])款)?"
                   r"(?:第（?[一二三四五六七八九十]+）?项)?"
                   r"(?:：(?P<quote>(?:(?!\n\n)[^；（])+))?")


def _quoted_articles(text: str) -> dict[tuple[str, str], list[str]]:
    """(law, 第N条) -> paragraphs, from the page's blockquotes "> **《law》第N条** …"."""
    out: dict[tuple[str, str], list[str]] = {}
    for block in re.split(r"\n(?!>)", text):
        block = block.strip("\n")
        m = re.match(r"> \*\*《([^》]+)》(第[^*]+条)\*\* ", block)
        if not m:
            continue
        body = block[m.end():]
        paras = [re.sub(r"\\\n> ", "", p).strip() for p in re.split(r"\n>\n> ", body)]
        out[(m.group(1), m.group(2))] = paras
    return out


ARTICLES = _quoted_articles(PROCEDURES)


def _constants(path: Path) -> list[str]:
    """The string constants of a module (guards' refusals, filing authorities, docstrings)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _strings_of(defn) -> list[str]:
    """Every citation a user can be shown: deadline periods and consequences, materials'
    bases, documents' legal bases, the procedure's basis, and its module's constants."""
    texts = [defn.basis]
    for dl in defn.deadlines:
        texts.append(dl.consequence)
        texts += [p.citation for p in dl.rules.values() if p is not None]
    texts += [b for m in defn.materials for b in m.basis.values()]
    texts += [b for d in defn.documents for b in d.basis.values()]
    module = __import__(f"workflows.{defn.name}", fromlist=["_"])
    return texts + _constants(Path(module.__file__))


def _problems(texts: list[str]) -> list[str]:
    problems = []
    for text in texts:
        for m in CITED.finditer(text):
            law, art = m.group("law"), m.group("art")
            if law not in LOADED:
                continue
            paras = ARTICLES.get((law, art))
            if paras is None:
                problems.append(f"《{law}》{art} is cited but not quoted in docs/procedures.md")
                continue
            if m.group("para"):
                n = CN[m.group("para")]
                if n > len(paras):
                    problems.append(f"《{law}》{art} has {len(paras)} 款, cited 第{m.group('para')}款")
                    continue
                paras = [paras[n - 1]]
            quote = re.sub(r"\s*\n\s*", "", m.group("quote") or "").strip()   # a docstring's wrapped lines
            if quote and not any(quote in p for p in paras):
                problems.append(f"《{law}》{art}{'第' + m.group('para') + '款' if m.group('para') else ''}"
                                f" does not say 「{quote}」")
    return sorted(set(problems))


def test_every_procedure_step_and_deadline_is_documented():
    for name, defn in REGISTRY.items():
        assert f"(`{name}`)" in PROCEDURES, f"docs/procedures.md has no section for {name}"
        for t in defn.transitions:
            assert f"(`{t.trigger}`)" in PROCEDURES, f"{name}: step {t.trigger} is not documented"
        for dl in defn.deadlines:
            assert f"(`{dl.key}`)" in PROCEDURES, f"{name}: deadline {dl.key} is not documented"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_cited_article_is_quoted_and_every_quotation_is_its_own_words(name):
    problems = _problems(_strings_of(REGISTRY[name]))
    assert not problems, "\n".join(problems)


def test_the_rules_beside_the_procedures_quote_their_articles_exactly():
    texts = [t for path in sorted((ROOT / "workflows" / "rules").glob("*.py")) for t in _constants(path)]
    problems = _problems(texts)
    assert not problems, "\n".join(problems)


def test_code_points_into_the_repository_only():
    """What the code cites lives in docs/; local documents are cited by their name
    (docs/sources.md), and every docs/ page the code names exists."""
    outside = re.compile("|".join(n + r"\.md" for n in ("CONTRACT", "PROCEDURES", "INTERFACES", "DESIGN"))
                         + "|" + "seed" + r" 00\d|\.\./" + "shared|" + "shared" + "/law")
    named = re.compile(r"docs/([a-z_]+\.md)")
    problems = []
    for folder in ("engine", "forms", "web", "workflows", "tests", "bench", "scripts"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".html", ".md", ".sh", ".toml") or ".venv" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            rel = path.relative_to(ROOT)
            problems += [f"{rel}: {m.group(0)}" for m in outside.finditer(text)]
            problems += [f"{rel}: docs/{m.group(1)} does not exist" for m in named.finditer(text)
                         if not (DOCS / m.group(1)).exists()]
    assert not problems, "\n".join(problems)
