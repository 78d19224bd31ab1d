"""Writing a person out of a text replaces them, and only them."""

from __future__ import annotations

from sharedpurpose.core.personal_data import Pseudonym

ADA = Pseudonym(
    names=("Ada Lovelace", "Al"),
    addresses=("ada@example.org",),
    name="Erased person 7",
    email="erased-7@erased.invalid",
)


def test_whole_names_and_addresses_are_replaced_whatever_their_case() -> None:
    assert ADA.rewrite("Assigned ADA LOVELACE (Ada@Example.org) to assess.") == (
        "Assigned Erased person 7 (erased-7@erased.invalid) to assess."
    )


def test_other_people_and_longer_words_are_left_alone() -> None:
    text = "Ada Lovelaces, bada@example.org and ada@example.org.uk; Alison"

    assert ADA.rewrite(text) == text


def test_names_too_short_to_be_told_from_words_are_not_searched() -> None:
    assert ADA.rewrite("Al said") == "Al said"
    assert "Al" not in ADA.needles


def test_strings_inside_json_values_are_replaced_and_the_rest_kept() -> None:
    value = {"to": ["ada@example.org"], "body": "Dear Ada Lovelace", "attempts": 2, "html": None}

    assert ADA.rewrite(value) == {
        "to": ["erased-7@erased.invalid"],
        "body": "Dear Erased person 7",
        "attempts": 2,
        "html": None,
    }
