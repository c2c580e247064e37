"""U8's class rules, each refusal included, and a property test of the tree's consistency."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.archive import classes
from db.core.errors import ConflictError, RuleError
from db.core.models import ChangeLog, Customer, CustomerClass
from tests.conftest import add_customer


def refused(key, fn, *args):
    before = (CustomerClass.select().count(), ChangeLog.select().count())
    with pytest.raises(RuleError) as err:
        fn(*args)
    assert err.value.key == key
    assert (CustomerClass.select().count(), ChangeLog.select().count()) == before, "nothing written"
    return err.value


def test_add_levels_and_leaf_flags(store):
    classes.add("main", "09", "测试")
    assert classes.get("main", "09").is_leaf
    classes.add("main", "09001", "子类")
    assert not classes.get("main", "09").is_leaf
    child = classes.get("main", "09001")
    assert child.level == 2 and child.is_leaf and child.criterion == "行业"
    classes.add("main", "090010001", "孙类")
    assert [n.code for n in classes.children("main", "09001")] == ["090010001"]


def test_code_refusals(store):
    classes.add("main", "09", "测试")
    err = refused("class.code_length_top", classes.add, "main", "123", "x")
    assert err.values["expected"] == 2 and err.field == "code"
    err = refused("class.code_length", classes.add, "main", "0900", "x")
    assert err.values == {"code": "0900", "level": 2, "expected": 5, "parent": "09", "width": 3}
    refused("class.code_chars", classes.add, "main", "0-", "x")
    refused("class.code_chars", classes.add, "main", "0'", "x")
    refused("class.code_required", classes.add, "main", "", "x")
    refused("class.parent_missing", classes.add, "main", "08001", "x")
    refused("class.code_taken", classes.add, "main", "09", "again")
    classes.add("main", "09001", "a")
    classes.add("main", "090010001", "b")
    refused("class.too_deep", classes.add, "main", "0900100011", "x")


def test_name_rules(store):
    classes.add("main", "01", "甲")
    refused("class.name_required", classes.add, "main", "02", "  ")
    refused("class.name_too_long", classes.add, "main", "02", "名" * 61)
    refused("class.name_taken", classes.add, "main", "02", "甲")
    refused("class.name_control", classes.add, "main", "02", "a\x1b[31mb")
    classes.add("main", "02", "名" * 60)
    # Unique among siblings only: the same name under another parent is fine.
    classes.add("main", "01001", "批发商")
    classes.add("main", "02001", "批发商")


def test_class_with_customers_cannot_get_children(store):
    classes.add("main", "01", "个人")
    add_customer("C1", "01")
    err = refused("class.parent_has_customers", classes.add, "main", "01001", "x")
    assert err.values == {"parent": "01", "count": 1}


def test_delete_rules(store):
    classes.add("main", "01", "个人")
    classes.add("main", "01001", "a")
    classes.add("main", "01002", "b")
    refused("class.delete_has_children", classes.delete, "main", "01")
    add_customer("C1", "01002")
    err = refused("class.delete_has_customers", classes.delete, "main", "01002")
    assert err.values["count"] == 1
    classes.delete("main", "01001")
    assert not classes.get("main", "01").is_leaf, "01002 is still a child"
    Customer.delete().execute()
    classes.delete("main", "01002")
    assert classes.get("main", "01").is_leaf, "deleting the last child sets the leaf flag"
    assert classes.get("main", "01001") is None


def test_update_changes_name_and_remark_only(store):
    node = classes.add("main", "01", "个人")
    updated = classes.update("main", "01", "个人消费者", "零售", node.version)
    assert (updated.code, updated.name, updated.remark) == ("01", "个人消费者", "零售")
    classes.add("main", "02", "中间商")
    refused("class.name_taken", classes.update, "main", "02", "个人消费者", "", classes.get("main", "02").version)


def test_stale_version_is_refused(store):
    node = classes.add("main", "01", "个人")
    classes.update("main", "01", "个人2", "", node.version)
    with pytest.raises(ConflictError):
        classes.update("main", "01", "个人3", "", node.version)
    with pytest.raises(ConflictError):
        classes.delete("main", "01", node.version)
    assert classes.get("main", "01").name == "个人2"


def test_history_is_written_with_each_change(store):
    node = classes.add("main", "01", "个人")
    classes.update("main", "01", "个人消费者", "", node.version)
    classes.delete("main", "01")
    assert [r.action for r in ChangeLog.select().order_by(ChangeLog.id)] == ["add", "change", "delete"]


def test_scheme_change_rules(store):
    classes.set_scheme("main", "3-3", ["性质", "行业"])
    assert classes.dimension("main").scheme == "3-3"
    classes.add("main", "001", "a")
    classes.add("main", "001001", "b")
    err = refused("scheme.level_in_use", classes.set_scheme, "main", "2-3-4", [])
    assert err.values == {"level": 1, "count": 1}
    err = refused("scheme.level_in_use", classes.set_scheme, "main", "3-2", [])
    assert err.values == {"level": 2, "count": 1}
    # Levels below the deepest one in use may change.
    classes.set_scheme("main", "3-3-5", ["性质", "行业", "规模"])
    assert classes.get("main", "001001").criterion == "行业"
    refused("scheme.too_long", classes.set_scheme, "main", "3-3-7", [])


def test_counts_include_sub_classes(seeded):
    assert [(n.code, n.customers) for n in classes.children("main", None)] == [
        ("01", 1), ("02", 2), ("03", 0), ("04", 0)]
    assert classes.get("main", "02002").customers == 1
    assert classes.customers_under(classes.dimension("main"), "") == 3
    assert ("020020002", "超级市场") in classes.leaves("main")


# -- property: any sequence of adds and deletes keeps the tree consistent ------------------

codes = st.text(alphabet="012", min_size=1, max_size=9)
ops = st.lists(st.tuples(st.sampled_from(["add", "delete", "customer"]), codes), max_size=40)


def check_consistent():
    scheme = classes.scheme_of(classes.dimension("main"))
    rows = {r.code: r for r in CustomerClass.select()}
    for code, row in rows.items():
        assert scheme.level_of(code) == row.level, "ends on a level boundary"
        parent = scheme.parent_of(code)
        assert parent is None or parent in rows, "parent exists"
        assert code.startswith(parent or ""), "starts with its parent's code"
        has_children = any(c != code and c.startswith(code) for c in rows)
        assert row.is_leaf == (not has_children), f"leaf flag of {code}"
    for customer in Customer.select():
        assert rows[customer.class_code].is_leaf, "no customer outside a leaf"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops)
def test_tree_stays_consistent(store, sequence):
    CustomerClass.delete().execute()
    Customer.delete().execute()
    for n, (op, code) in enumerate(sequence):
        try:
            if op == "add":
                classes.add("main", code, f"n{code}")
            elif op == "delete":
                classes.delete("main", code)
            elif CustomerClass.select().where(CustomerClass.code == code, CustomerClass.is_leaf == True).exists():  # noqa: E712
                add_customer(f"C{n}", code)
        except RuleError:
            pass
        check_consistent()
