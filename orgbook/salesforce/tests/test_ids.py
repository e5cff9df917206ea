import pytest

from orgbook.salesforce.ids import same_id, to_15, to_18


def test_15_to_18_follows_the_checksum_algorithm():
    # Chunks "00D5g", "00000", "4XyZa": uppercase bits 0b00100 (D at 2) -> E, none -> A,
    # X at 1 and Z at 3 -> 0b01010 = 10 -> K.
    assert to_18("00D5g000004XyZa") == "00D5g000004XyZaEAK"


def test_known_pairs_from_the_reference():
    assert to_18("0055g00000AbCdE") == "0055g00000AbCdEAAV"


def test_an_18_char_id_gets_its_checksum_recomputed_so_suffix_case_does_not_matter():
    assert to_18("00D5g000004XyZaeak") == "00D5g000004XyZaEAK"


def test_ids_differing_only_in_case_are_different_records():
    assert to_18("001000000000aaa") != to_18("001000000000AAA")
    assert not same_id("001000000000aaa", "001000000000AAA")


def test_same_id_compares_15_and_18_forms():
    assert same_id("00D5g000004XyZa", "00D5g000004XyZaEAK")
    assert not same_id(None, "00D5g000004XyZaEAK")
    assert not same_id("garbage", "00D5g000004XyZaEAK")


def test_to_15_trims():
    assert to_15("00D5g000004XyZaEAK") == "00D5g000004XyZa"


@pytest.mark.parametrize("bad", ["", "short", "00D5g000004XyZa!", "00D5g000004XyZaEAKX", "00D5g000004XyZé"])
def test_rejects_what_is_not_an_id(bad):
    with pytest.raises(ValueError):
        to_18(bad)
