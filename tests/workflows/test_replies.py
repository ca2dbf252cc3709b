"""What the domain answers: actions, buttons, replies and outcomes, and the stamps buttons carry."""

from __future__ import annotations

import re

from workflows.replies import Action, Button, Outcome, Reply, stamp


def test_an_actions_arguments_are_text():
    assert Action.of("edit", "proactive", 3, "1a2b") == Action("edit", ("proactive", "3", "1a2b"))
    assert Action.of("fill") == Action("fill", ())


def test_an_outcome_collects_replies_then_messages_for_others():
    ok = (Button("通过", Action.of("approve", "proactive", 1)),)
    outcome = Outcome().say("一").say("二", ok).tell(7, "给七号", ok)
    assert outcome.replies == [Reply("一"), Reply("二", (ok,))]
    assert outcome.notify == [(7, Reply("给七号", (ok,)))]
    more = Outcome().say("三").tell(8, "给八号")
    assert outcome.extend(more) is outcome
    assert [r.text for r in outcome.replies] == ["一", "二", "三"]
    assert [user for user, _ in outcome.notify] == [7, 8]
    assert Reply("x").document is None and Reply("x").buttons == ()


def test_stamps_are_short_stable_and_sensitive_to_order():
    # Buttons already sent carry stamps: the same content must give the same stamp in every release.
    assert stamp(["t2.rules.issued", "t2.rules.repealed", "t2.rules.in_force"]) == "27023d31"
    assert stamp([0, 1, 1, 1]) == stamp(["0", "1", "1", "1"])
    assert stamp([1, 2]) != stamp([2, 1])
    assert stamp([12]) != stamp([1, 2])
    assert re.fullmatch(r"[0-9a-f]{8}", stamp([]))
