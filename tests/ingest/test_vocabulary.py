"""The vocabularies' labels: what a user reads for each stored value."""

import pytest

from ingest.vocabulary import DocType, ElementName, Status


@pytest.mark.parametrize("member", [*Status, *ElementName])
def test_labels_capitalise_the_stored_value(member: Status | ElementName) -> None:
    assert member.label[0].isupper()
    assert member.label.lower() == member.value
    assert member == member.value


def test_labels_keep_swedish_letters() -> None:
    assert ElementName.ATGARD.label == "Åtgärd"
    assert ElementName.UPPFOLJNING.label == "Uppföljning"
    assert DocType.TJANSTESKRIVELSE.label == "tjänsteskrivelse"
