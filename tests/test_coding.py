"""Coding schemes: parsing, U8's limits, levels and parents, code checks."""
import pytest

from db.values.coding import CodingScheme
from db.core.errors import RuleError


@pytest.mark.parametrize("text,widths", [("2-3-4", (2, 3, 4)), ("2 3 4", (2, 3, 4)), ("234", (2, 3, 4)),
                                          ("1-1-1-1-1", (1, 1, 1, 1, 1)), ("9-3", (9, 3)), ("12", (1, 2))])
def test_parse(text, widths):
    assert CodingScheme.parse(text).widths == widths


@pytest.mark.parametrize("text,key", [
    ("", "scheme.empty"), ("2-a", "scheme.format"), ("1-1-1-1-1-1", "scheme.too_many_levels"),
    ("0-2", "scheme.level_width"), ("2-10", "scheme.level_width"), ("9-4", "scheme.too_long"),
])
def test_parse_refusals(text, key):
    with pytest.raises(RuleError) as err:
        CodingScheme.parse(text)
    assert err.value.key == key
    assert err.value.field == "scheme"


def test_levels_and_parents():
    s = CodingScheme.parse("2-3-4")
    assert [s.length(lv) for lv in (1, 2, 3)] == [2, 5, 9]
    assert s.level_of("01") == 1 and s.level_of("01004") == 2 and s.level_of("010040001") == 3
    assert s.level_of("010") is None and s.level_of("0100400012") is None
    assert s.parent_of("01") is None and s.parent_of("01004") == "01"
    assert s.parent_of("010040001") == "01004"
    assert str(s) == "2-3-4"


def test_check_code():
    s = CodingScheme.parse("2-3-4")
    assert s.check_code("09", None) == 1
    assert s.check_code("09001", "09") == 2
    cases = [("123", None, "class.code_length_top"), ("0900", "09", "class.code_length"),
             ("08001", "09", "class.code_prefix"), ("0 9", None, "class.code_chars"),
             ("0'", None, "class.code_chars"), ("", None, "class.code_required"),
             ("0100100012", "010010001", "class.too_deep")]
    for code, parent, key in cases:
        with pytest.raises(RuleError) as err:
            s.check_code(code, parent)
        assert err.value.key == key, code
    with pytest.raises(RuleError) as err:
        s.check_code("0900", "09")
    assert err.value.values == {"code": "0900", "level": 2, "expected": 5, "parent": "09", "width": 3}
