"""Definitions are checked when loaded: a broken procedure never reaches a case."""
from __future__ import annotations

import dataclasses

import pytest

from engine import machines
from engine.definition import DeadlineSpec, Opening, Period, Procedure, State, Transition
from engine.errors import DefinitionError
from workflows import REGISTRY


def make(**over) -> Procedure:
    base = dict(
        name="toy", version=1, title="测试程序", basis="测试",
        states=(State("a", "甲"), State("b", "乙"), State("done", "完成", final=True)),
        initial="a",
        opening=Opening(roles=("street_office",), label="立案", starts=("d",)),
        transitions=(
            Transition("go", "前进", ("a",), "b", ("street_office",)),
            Transition("finish", "完成", ("b",), "done", ("street_office",), meets=("d",)),
        ),
        deadlines=(DeadlineSpec("d", "期限", "@event", {"national": Period(5, "day", "某法第一条")},
                            party="street_office"),),
    )
    base.update(over)
    return Procedure(**base)


def test_a_sound_definition_validates():
    assert make().validate().name == "toy"


def test_every_registered_procedure_is_valid_and_listed():
    assert "contract_filing" in REGISTRY
    for defn in REGISTRY.values():
        defn.validate()


def expect(problem: str, **over):
    with pytest.raises(DefinitionError) as exc:
        make(**over).validate()
    assert problem in str(exc.value)
    return str(exc.value)


def test_unreachable_state_is_an_error():
    states = make().states + (State("orphan", "孤立"),)
    msg = expect("'orphan'", states=states)
    assert "unreachable" in msg


def test_non_final_state_without_a_way_out_is_an_error():
    t = (Transition("go", "前进", ("a",), "b", ("street_office",)),)
    msg = expect("'b'", transitions=t, states=(State("a", "甲"), State("b", "乙")))
    assert "no way out" in msg


def test_deadline_without_citation_is_an_error():
    d = DeadlineSpec("d", "期限", "@event", {"national": Period(5, "day", "  ")}, party="street_office")
    expect("no citation", deadlines=(d,))


def test_unknown_role_is_an_error():
    t = make().transitions
    bad = (dataclasses.replace(t[0], roles=("mayor",)), t[1])
    expect("unknown role 'mayor'", transitions=bad)


def test_unknown_deadline_reference_and_unit_are_errors():
    t = make().transitions
    bad = (dataclasses.replace(t[0], meets=("nope",)), t[1])
    expect("unknown deadline 'nope'", transitions=bad)
    d = DeadlineSpec("d", "期限", "@event", {"national": Period(5, "fortnight", "某法")}, party="street_office")
    expect("unit 'fortnight'", deadlines=(d,))


def test_all_problems_are_reported_at_once():
    states = make().states + (State("orphan", "孤立"),)
    d = DeadlineSpec("d", "期限", "@event", {"national": Period(5, "day", "")}, party="mayor")
    msg = expect("orphan", states=states, deadlines=(d,))
    assert "no citation" in msg and "unknown party role 'mayor'" in msg


def test_one_machine_per_definition_version_shared_by_all_cases():
    defn = make().validate()
    m1 = machines.machine_for(defn)
    assert machines.machine_for(defn) is m1
    assert m1.models == []           # the shared machine holds no case
    assert machines.fire(defn, "go", "a") == "b"
    assert machines.can_fire(defn, "finish", "b")
    assert not machines.can_fire(defn, "finish", "a")
    v2 = dataclasses.replace(defn, version=2)
    assert machines.machine_for(v2) is not m1
