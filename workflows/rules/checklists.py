"""Inspection checklists (自查表 / 检查表) as data: parts, each with its questions.

The special rectification campaign's self-inspection table has six parts
(「物业管理专项整治方案」三): 物业承接（退出）, 业主及业主委员会, 内部管理, 物业服务,
消防安全, 其他安全. The campaign's own questions are not in the repository: the questions
below are drafted after the table's parts and the regulations they point to, and each
says 待核实 until the text is loaded and checked. A new template is one more entry of
`TEMPLATES`; an inspection keeps the template it was opened with.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.bilingual import Bi

SOURCE = "「物业管理专项整治方案」三（题目为依该表六部分拟定，原文未载入，待核实）"


@dataclass(frozen=True)
class Item:
    key: str
    question: str
    basis: str = SOURCE

    @property
    def question_en(self) -> str:
        return QUESTIONS_EN.get(self.key, self.key)


@dataclass(frozen=True)
class Part:
    label: Bi
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Template:
    key: str
    title: Bi
    parts: tuple[Part, ...]
    source: str = SOURCE

    def items(self) -> tuple[Item, ...]:
        return tuple(i for p in self.parts for i in p.items)

    def item(self, key: str) -> Item:
        for i in self.items():
            if i.key == key:
                return i
        raise KeyError(key)

    def part_of(self, key: str) -> Part:
        for p in self.parts:
            if any(i.key == key for i in p.items):
                return p
        raise KeyError(key)


SPECIAL = Template("special_rectification", Bi("物业管理专项整治自查表", "special rectification self-inspection table"), (
    Part(Bi("物业承接（退出）", "taking over (and leaving)"), (
        Item("takeover_inspection", "承接新建物业时是否与建设单位共同进行承接查验并签订查验协议"),
        Item("takeover_filing", "是否在物业交接后三十日内办理承接查验备案"),
        Item("contract_filing", "物业服务合同是否按规定备案"),
        Item("exit_handover", "退出项目时是否按规定移交资料、物业服务用房和共用设施设备，并办理交接"),
    )),
    Part(Bi("业主及业主委员会", "owners and the owners' committee"), (
        Item("assembly_support", "是否配合业主大会、业主委员会依法开展工作"),
        Item("committee_relations", "是否定期向业主委员会通报物业服务情况并接受监督"),
        Item("owner_complaints", "是否建立业主投诉处理机制并及时答复"),
    )),
    Part(Bi("内部管理", "internal management"), (
        Item("publicity", "是否在物业管理区域显著位置公示服务内容、标准、收费项目和标准、负责人及联系电话"),
        Item("fees_public", "是否定期公布物业服务费、公共收益的收支情况"),
        Item("staff_training", "是否建立员工培训和持证上岗制度"),
        Item("archives", "物业档案资料是否完整并妥善保管"),
    )),
    Part(Bi("物业服务", "the service"), (
        Item("cleaning", "公共区域保洁、垃圾清运是否及时到位"),
        Item("greening", "绿化养护是否符合合同约定"),
        Item("facilities", "共用设施设备是否按规定维修养护并有记录"),
        Item("lifts", "电梯是否按期维保、年检合格并公示"),
        Item("water_supply", "二次供水设施是否定期清洗消毒并公示水质检测结果"),
    )),
    Part(Bi("消防安全", "fire safety"), (
        Item("fire_lanes", "消防车通道、疏散通道、安全出口是否畅通，有无占用堵塞"),
        Item("fire_facilities", "消防设施器材是否完好有效并定期检测"),
        Item("ev_charging", "有无电动自行车飞线充电、楼道停放充电现象，是否设置集中充电设施"),
        Item("fire_drills", "是否制定消防应急预案并定期组织演练"),
    )),
    Part(Bi("其他安全", "other safety"), (
        Item("high_falls", "有无高空坠物隐患，外墙、悬挂物是否定期检查"),
        Item("flood_control", "是否制定防汛、防冻等应急预案并储备物资"),
        Item("security_patrol", "秩序维护、门岗值守和巡查是否到位并有记录"),
        Item("construction_safety", "区域内施工、装修是否签订管理协议并落实安全措施"),
    )),
))

QUESTIONS_EN = {
    'takeover_inspection': 'inspected jointly with the developer on taking over, with an inspection agreement',
    'takeover_filing': 'the inspection filed within 30 days of the handover',
    'contract_filing': 'the service contract filed as required',
    'exit_handover': 'on leaving, records, premises and common facilities handed over',
    'assembly_support': "supports the owners' assembly and committee in their lawful work",
    'committee_relations': 'reports to the committee regularly and accepts its supervision',
    'owner_complaints': 'a complaint procedure for owners, with timely replies',
    'publicity': 'services, standards, fees, the manager and telephone posted in the estate',
    'fees_public': 'service fees and common income and spending published regularly',
    'staff_training': 'staff trained and certified',
    'archives': 'property records complete and kept safe',
    'cleaning': 'common areas cleaned, rubbish removed in time',
    'greening': 'greenery kept as the contract says',
    'facilities': 'common facilities maintained as required, with records',
    'lifts': 'lifts maintained, inspected yearly and the certificate posted',
    'water_supply': 'secondary water supply cleaned and disinfected, water tests posted',
    'fire_lanes': 'fire lanes, escape routes and exits clear',
    'fire_facilities': 'fire equipment in working order and tested',
    'ev_charging': 'no e-bikes charged over trailing cables or in stairwells; central charging provided',
    'fire_drills': 'a fire emergency plan, with drills',
    'high_falls': 'no risk of falling objects; walls and fixtures checked',
    'flood_control': 'flood and frost plans and supplies',
    'security_patrol': 'guards, gates and patrols in place, with records',
    'construction_safety': 'works and decoration under agreements with safety measures',
}

TEMPLATES: dict[str, Template] = {SPECIAL.key: SPECIAL}
TEMPLATE_CHOICES = {k: t.title for k, t in TEMPLATES.items()}
ALL_ITEMS = {i.key: Bi(i.question, i.question_en) for t in TEMPLATES.values() for i in t.items()}
