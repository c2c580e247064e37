"""db.values.collation: names in pinyin order, as U8 lists them; every write of a name
writes its sort key."""
import pytest

import db
from db.archive import classes, customers
from db.core.models import Customer
from db.transfer import importer
from db.values import collation
from tests.pg import pg_url  # noqa: F401 (a fixture)


def _sorted(names):
    return sorted(names, key=collation.key)


def test_chinese_names_sort_by_pinyin_not_code_point():
    assert sorted(["丁佳琪", "万洋", "三亚"]) == ["丁佳琪", "万洋", "三亚"]  # code points: 丁 4E01, 万 4E07, 三 4E09
    assert _sorted(["万洋", "三亚", "丁佳琪"]) == ["丁佳琪", "三亚", "万洋"]


def test_a_shorter_syllable_and_a_lower_tone_come_first():
    assert _sorted(["白云", "八达", "爸爸", "拔河"]) == ["八达", "拔河", "爸爸", "白云"]  # ba1 ba2 ba4 bai2
    assert _sorted(["北京华联超市", "北京"]) == ["北京", "北京华联超市"]


def test_letters_sort_among_the_syllables_case_and_width_folded():
    assert _sorted(["北京", "Alibaba", "阿里", "ＡＢＣ"]) == ["阿里", "ＡＢＣ", "Alibaba", "北京"]
    assert collation.key("ＡＢＣ") == collation.key("abc")


def test_the_key_spells_tones_and_v():
    assert collation.key("北京") == "bei3 jing1 "
    assert collation.key("吕布") == "lv3 bu4 "
    assert collation.key("的") == "de5 "


def test_a_persons_surname_takes_its_surname_reading():
    assert collation.key("曾小明").startswith("zeng1 ")
    assert collation.key("曾经沧海公司").startswith("ceng2 ")  # not a person's name


def test_keys_of_names_only_the_columns_given():
    assert collation.keys_of({"name": "北京", "code": "C1"}) == {"name_key": "bei3 jing1 "}
    assert collation.keys_of({"remark": "x"}) == {}


# ---- every write of a name writes its key


def _keys(code):
    row = Customer.get(Customer.code == code)
    return row.name_key, row.short_key


@pytest.fixture(params=["sqlite", "postgresql"])
def archive(request, tmp_path):
    url = str(tmp_path / "k.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    store = db.open_store(url)
    classes.add("main", "01", "批发")
    yield store
    store.close()


def test_the_card_writes_the_keys_on_add_and_on_a_changed_name(archive):
    customers.create({"code": "C1", "name": "北京华联", "short_name": "华联", "class_code": "01"})
    assert _keys("C1") == ("bei3 jing1 hua2 lian2 ", "hua2 lian2 ")
    customers.update("C1", {"short_name": "万洋"}, 1)
    assert _keys("C1") == ("bei3 jing1 hua2 lian2 ", "wan4 yang2 ")


def test_an_import_writes_the_keys_of_its_adds_and_of_its_changed_names(archive, tmp_path):
    def imported(text):
        path = tmp_path / "c.csv"
        path.write_text("客户编码,客户名称,客户简称,所属分类码\n" + text, encoding="utf-8")
        importer.commit(importer.plan(path))

    imported("C1,北京华联,华联,01\nC2,三亚旅游,三亚,01\n")
    assert _keys("C2") == ("san1 ya4 lv3 you2 ", "san1 ya4 ")
    imported("C1,丁佳琪,华联,01\n")
    assert _keys("C1") == ("ding1 jia1 qi2 ", "hua2 lian2 ")
