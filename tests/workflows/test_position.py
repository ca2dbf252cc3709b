"""One person's place in a cycle: the prompt shown, what it showed, drafts, a clash, and answered messages."""

from __future__ import annotations

from workflows.position import ANSWER, EDIT, MAX_REMEMBERED, Conflict, Position

ROW = ["t2.rules.issued", "t2.rules.repealed", "t2.rules.in_force"]


def test_each_prompt_gets_a_new_sequence_number_and_forgets_a_clash():
    place = Position(unit="proactive")
    assert place.ask(ROW, dict.fromkeys(ROW, 0)) == 1
    place.conflict = Conflict(
        ROW, {"t2.rules.issued": 1}, {"t2.rules.issued": "1 0 6"}, dict.fromkeys(ROW, 1)
    )
    assert place.ask(ROW, dict.fromkeys(ROW, 1), EDIT) == 2
    assert (place.fields, place.seen, place.mode, place.conflict) == (ROW, dict.fromkeys(ROW, 1), EDIT, None)
    place.leave()
    assert (place.unit, place.fields, place.seen, place.mode, place.seq) == ("proactive", None, {}, ANSWER, 3)


def test_a_position_survives_the_store_in_both_implementations(world):
    place = Position(unit="proactive")
    place.ask(ROW, dict.fromkeys(ROW, 2))
    place.drafts["problems.text"] = ["一", "二"]
    place.draft_base["problems.text"] = 1
    place.conflict = Conflict(
        ROW, {"t2.rules.issued": 1}, {"t2.rules.issued": "1 0 6"}, dict.fromkeys(ROW, 3)
    )
    place.remember(31, "proactive", ROW, dict.fromkeys(ROW, 3))
    world.store.set_conversation(world.cycle.id, 201, place.dump())
    back = Position.load(world.store.get_conversation(world.cycle.id, 201))
    assert back == place
    assert world.store.get_conversation(world.cycle.id, 202) == {}
    assert world.store.get_conversation("1999", 201) == {}


def test_an_older_record_without_the_newer_keys_loads():
    place = Position.load({"unit": "requests", "fields": ["t3.new.natural"], "seq": "4"})
    assert place == Position(unit="requests", fields=["t3.new.natural"], seq=4)
    assert Position.load({}) == Position()


def test_remembered_answers_keep_the_newest_and_move_a_reanswered_message_to_the_end():
    place = Position()
    for message in range(1, MAX_REMEMBERED + 1):
        place.remember(message, "proactive", ROW, {"t2.rules.issued": message})
    place.remember(1, "proactive", ROW, {"t2.rules.issued": 99}, part=2)  # message 1 answered again
    place.remember(MAX_REMEMBERED + 1, "proactive", ROW, {})
    assert len(place.answered) == MAX_REMEMBERED
    assert "2" not in place.answered  # the oldest made way
    assert list(place.answered)[-2:] == ["1", str(MAX_REMEMBERED + 1)]
    assert place.answered["1"] == {
        "section": "proactive",
        "fields": ROW,
        "versions": [99, 0, 0],  # in the order of the fields
        "part": 2,
    }


def test_the_versions_an_answer_left_read_back_by_field():
    assert Position.versions_answered({"fields": ["a", "b"], "versions": [3, 4]}) == {"a": 3, "b": 4}
