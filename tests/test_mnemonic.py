"""助记码: pinyin initials with surname readings (db.values.mnemonic)."""
import pytest

from db.values.mnemonic import initials


@pytest.mark.parametrize("text, expected", [
    ("北京华联", "bjhl"), ("重庆", "cq"), ("银行", "yh"), ("长沙", "cs"), ("重庆银行", "cqyh"),
    ("上海长江贸易", "shcjmy"),
])
def test_words(text, expected):
    assert initials(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("曾小明", "zxm"), ("单田芳", "stf"), ("解晓东", "xxd"), ("仇英", "qy"), ("区家伟", "ojw"),
    ("查良镛", "zly"), ("朴槿惠", "pjh"), ("曾记粥铺", "zjzp"),
])
def test_surnames_of_person_names(text, expected):
    assert initials(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("解放军", "jfj"), ("区域经理", "qyjl"), ("曾经", "cj"), ("单位", "dw"), ("查询中心", "cxzx"),
    ("区人民医院", "qrmyy"),  # five characters: a company, not a person
])
def test_common_readings_outside_person_names(text, expected):
    assert initials(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("A1北京华联(集团)", "a1bjhljt"), ("ＡＢＣ公司", "abcgs"), ("3M中国", "3mzg"),
    ("北京·华联 有限公司!", "bjhlyxgs"), ("", ""), (None, ""), ("——", ""), ("[bold]华联", "boldhl"),
])
def test_letters_and_digits_kept_the_rest_dropped(text, expected):
    assert initials(text) == expected
