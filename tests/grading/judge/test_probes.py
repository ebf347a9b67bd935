"""mpcourse.grading.judge.probes: a probe returns only plain, capped data from the learner's namespace."""

from __future__ import annotations

import json

from mpcourse.grading.judge import probes


def test_plain_keeps_modest_json_and_shortens_everything_else_to_a_repr():
    assert probes.plain([1, "two", {"three": 3.0}]) == [1, "two", {"three": 3.0}]
    huge = list(range(100_000))
    assert isinstance(probes.plain(huge), str) and len(probes.plain(huge)) <= 200
    assert probes.plain(object()).startswith("<object object at")


def test_plain_cannot_be_made_to_recurse_by_a_self_containing_value():
    loop: list = []
    loop.append(loop)
    assert probes.plain(loop) == "[[...]]"


def test_a_probe_of_missing_names_returns_none_not_an_error():
    assert probes.counter_prediction({}) == {"children": None, "parent": None}


def test_choices_become_text_capped_and_a_non_mapping_its_repr():
    got = probes.choices({"choices": {1: "fork" * 100, "b": object}})
    assert got["choices"]["1"] == ("fork" * 100)[:100]
    assert got["choices"]["b"] == str(object)
    assert probes.choices({"choices": ["a", "b"]}) == {"choices": "['a', 'b']"}
    json.dumps(got)  # the child sends it as JSON


def test_a_row_s_key_is_the_same_for_its_list_and_its_bytes_and_differs_from_another_row_s():
    """The judge's inside_count wrapper names the row it was called on: list and bytes alike, so either counts."""
    from mpcourse.grading.judge.cluster_probes import row_key

    assert row_key([200, 3, 17]) == row_key(bytes([200, 3, 17])) == row_key((200, 3, 17))
    assert row_key([200, 3, 17]) != row_key([200, 3, 18])
    assert row_key(None) == row_key(object()) == "-"
