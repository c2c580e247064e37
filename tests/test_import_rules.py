"""The import checks classes and customers by the screens' own rules (db.archive.classes, customers)."""
from __future__ import annotations

import pytest

import db
from db.archive import classes, customers
from db.core.errors import RuleError
from db.transfer import importer
from db.transfer.importer import customers as customer_planning


@pytest.fixture
def store(tmp_path):
    s = db.open_store(str(tmp_path / "t.db"))
    classes.add("main", "01", "批发")
    classes.add("main", "01001", "华北")
    classes.add("main", "02", "零售")
    yield s
    s.close()


def plan_classes(tmp_path, text):
    path = tmp_path / "k.csv"
    path.write_text("分类编码,分类名称\n" + text, encoding="utf-8")
    return importer.plan(path, kind="classes")


def screen_refusal(code, name):
    with pytest.raises(RuleError) as caught:
        classes.add("main", code, name)
    return caught.value.key


def test_a_class_name_with_a_control_character_is_refused_as_on_the_screen(store, tmp_path):
    plan = plan_classes(tmp_path, "03,中间\x1b商\n")
    assert [(p.line, p.key) for p in plan.rejected] == [(2, screen_refusal("03", "中间\x1b商"))]
    assert plan.rejected[0].key == "class.name_control"


def test_a_sibling_name_is_refused_as_on_the_screen(store, tmp_path):
    plan = plan_classes(tmp_path, "03,零售\n01002,华北\n04,新\n05,新\n")
    assert screen_refusal("03", "零售") == "class.name_taken"
    assert sorted((p.line, p.key) for p in plan.rejected) == [
        (2, "class.name_taken"), (3, "class.name_taken"), (5, "class.name_taken")]
    # A rename to its own name, or to a name used at another level, is no clash.
    plan = plan_classes(tmp_path, "01,批发\n01002,批发\n")
    assert plan.rejected == [] and [r.code for r in plan.adds] == ["01002"]


def test_the_parent_s_version_moves_when_an_import_adds_its_first_child(store, tmp_path):
    before = classes.get("main", "02").version
    importer.commit(plan_classes(tmp_path, "02001,专营店\n"))
    parent = classes.get("main", "02")
    assert not parent.is_leaf and parent.version == before + 1
    with pytest.raises(RuleError) as caught:  # a card open on the parent since must read it again
        classes.update("main", "02", "零售商", "", before)
    assert caught.value.key == "conflict.changed"


def test_one_mnemonic_rule_for_the_card_and_the_import(store, tmp_path):
    assert not hasattr(customer_planning, "mnemonic_of") or customer_planning.mnemonic_of is customers.mnemonic_of
    assert not hasattr(importer, "mnemonic_of")
    customers.create({"code": "C1", "name": "北京华联", "short_name": "北京华联", "class_code": "02"})
    customers.create({"code": "C2", "name": "上海一百", "short_name": "上海一百", "class_code": "02",
                      "mnemonic": "shyb1"})
    path = tmp_path / "c.csv"
    # An emptied mnemonic is generated again, a generated one follows the short name, a typed one stays.
    path.write_text("客户编码,客户简称,助记码\nC1,天津华联,bjhl\nC2,上海第一,shyb1\n", encoding="utf-8")
    importer.commit(importer.plan(path))
    assert customers.get("C1").mnemonic == "tjhl" == customers.mnemonic_of("天津华联")
    assert customers.get("C2").mnemonic == "shyb1"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_class_import_messages_are_filled_and_in_line_order(store, tmp_path, lang):
    from tui import i18n

    customers.create({"code": "K1", "name": "零售客户", "short_name": "零售", "class_code": "02"})
    plan = plan_classes(tmp_path, "0300,坏\n04001,孤儿\n02001,专营店\n05,\n1,短\n03,中间\x1b商\n"
                                  "01002,华北\nab!,怪\n03,重复\n")
    was = i18n.lang()
    i18n.set_lang(lang)
    try:
        texts = [i18n.error_text(p) for p in plan.rejected]
    finally:
        i18n.set_lang(was)
    assert [p.line for p in plan.rejected] == sorted(p.line for p in plan.rejected)
    assert len({p.line for p in plan.rejected}) == 9
    assert texts and not [x for x in texts if "{" in x or "}" in x]
    assert ("分类编码 0300 不符合编码方案" if lang == "zh" else "Code 0300 does not fit the coding scheme") in texts[0]


def test_a_class_changed_since_the_preview_is_refused_as_on_the_screen(store, tmp_path):
    plan = plan_classes(tmp_path, "02,零售商\n")
    node = classes.get("main", "02")
    classes.update("main", "02", "零售店", "", node.version)
    with pytest.raises(RuleError) as caught:
        importer.commit(plan)
    assert caught.value.key == "conflict.changed"
    assert classes.get("main", "02").name == "零售店"
