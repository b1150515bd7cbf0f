"""Rule packs: which body of rules an estate's deadlines follow.

The national rules apply everywhere; a province whose regulation has been loaded
overrides them period by period (each `Deadline.rules` entry in workflows/* carries its
article, and each deadline row records the pack and the article it was computed under).
A province listed in PENDING falls back to the national pack and says so.

The holiday calendar is national (State Council arrangements) whatever the pack; the
pack only changes which periods apply, never how days are counted.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.bilingual import Bi, embed

NATIONAL = "national"

PACKS: dict[str, Bi] = {
    "national": Bi("全国规则（民法典、物业管理条例）",
                   "national rules (Civil Code, Property Management Regulations)"),
    "henan": Bi("河南省物业管理条例", "Henan Province Property Management Regulations"),
    "shandong": Bi("山东省物业管理条例（2021）",
                   "Shandong Province Property Management Regulations (2021)"),
}

PROVINCE_PACK: dict[str, str] = {
    "河南省": "henan",
    "山东省": "shandong",
}

# Provinces whose regulation is known to differ but whose text is not loaded yet.
PENDING: dict[str, str] = {
    "湖南省": "湖南省物业管理条例",
    "贵州省": "贵州省物业管理条例",
}

# Short forms people type: 河南, 豫, 鲁 …
ALIASES: dict[str, str] = {
    "豫": "河南省", "鲁": "山东省", "湘": "湖南省", "黔": "贵州省", "贵": "贵州省",
    "henan": "河南省", "shandong": "山东省", "hunan": "湖南省", "guizhou": "贵州省",
}


@dataclass(frozen=True)
class PackChoice:
    pack: str
    label: Bi
    note: str      # empty, or why the national pack stands in / who chose the pack

    @property
    def sentence(self) -> str:
        """One Chinese sentence for pages, forms and `flask period`."""
        s = f"适用规则包：{self.label}"
        return f"{s}（{self.note}）" if self.note else s


def normalise_province(province: str) -> str:
    p = (province or "").strip()
    if p.lower() in ALIASES:
        return ALIASES[p.lower()]
    if p and not p.endswith(("省", "市", "自治区")):
        for full in list(PROVINCE_PACK) + list(PENDING):
            if full.startswith(p):
                return full
    return p


def pack_for(province: str, override: str | None = None) -> PackChoice:
    if override:
        if override not in PACKS:
            raise ValueError(f"unknown rule pack {override!r}; known: {', '.join(PACKS)}")
        return PackChoice(override, PACKS[override],
                          Bi("由管理员为本区域指定", "chosen for this estate by the administrator"))
    p = normalise_province(province)
    if p in PROVINCE_PACK:
        pack = PROVINCE_PACK[p]
        return PackChoice(pack, PACKS[pack], "")
    if p in PENDING:
        return PackChoice(NATIONAL, PACKS[NATIONAL],
                          Bi(f"{PENDING[p]}尚未载入，暂适用全国规则",
                             f"{embed(PENDING[p])} is not loaded yet; the national rules apply "
                             "meanwhile"))
    if p:
        return PackChoice(NATIONAL, PACKS[NATIONAL],
                          Bi(f"{p}暂无地方规则包，适用全国规则",
                             f"no provincial rule pack for {embed(p)}; the national rules apply"))
    return PackChoice(NATIONAL, PACKS[NATIONAL], "")


def pack_for_estate(estate) -> PackChoice:
    return pack_for(estate.province, estate.rulepack)


def pack_label(pack: str) -> str:
    return PACKS.get(pack, pack)
