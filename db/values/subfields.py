"""The card's sub-records as data: contacts (联系人), addresses (地址), bank accounts (银行) and
invoice details (开票信息), each kind's fields and rules, and which of a default record's
fields the customer row keeps a copy of.

A sub-record's field is a db.values.fields.Field (the same cleaning, the same one-line
refusals), named in the catalog under `sub.<kind>.<key>`. The copy on the customer row
(`MIRROR`) is what the list's columns and filters read at a million customers without a join;
db.archive.subrecords keeps it in step with the default record in every write.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from db.values.fields import (
    DEFAULT_CURRENCY,
    Field,
    _ascii,
    _check_email,
    _check_mobile,
    _check_postcode,
    _check_tax_id,
    _EMAIL,
    _MOBILE,
    _plain_tax_id,
    _POSTCODE,
)

KINDS = ("contacts", "addresses", "banks", "invoices")
# An address's kind, stored as U8 names it: 收货 ship-to, 开票 bill-to, 办公 office.
SHIP, BILL, OFFICE = "收货", "开票", "办公"
ADDRESS_KINDS = (SHIP, BILL, OFFICE)
_CNAPS = re.compile(r"\d{12}")


@dataclass(frozen=True)
class SubField(Field):
    """A field of a sub-record kind (`owner`), labelled `sub.<owner>.<key>`."""

    owner: str = ""

    @property
    def label(self) -> str:
        return f"sub.{self.owner}.{self.key}"


def _check_cnaps(field: Field, text: str) -> str:
    # 联行号 (CNAPS bank code): twelve digits, often copied with blanks between groups.
    compact = re.sub(r"[\s-]", "", _ascii(text))
    if not _CNAPS.fullmatch(compact):
        raise field.refuse("sub.cnaps", text=text)
    return compact


def _fields(owner: str, *specs) -> tuple[SubField, ...]:
    return tuple(SubField(key, owner, kind, owner=owner, **rules) for key, kind, rules in specs)


FIELDS: dict[str, tuple[SubField, ...]] = {
    "contacts": _fields(
        "contacts",
        ("name", "text", {"max_length": 40}),
        ("title", "text", {"max_length": 40}),
        ("department", "text", {"max_length": 60}),
        ("mobile", "text", {"max_length": 11, "check": _check_mobile, "plain": _MOBILE.fullmatch}),
        ("phone", "text", {"max_length": 40}),
        ("email", "text", {"max_length": 100, "check": _check_email, "plain": _EMAIL.fullmatch}),
        ("birthday", "date", {}),
        ("remark", "text", {"max_length": 200}),
    ),
    "addresses": _fields(
        "addresses",
        ("kind", "choice", {"choices": ADDRESS_KINDS, "default": SHIP, "required": True}),
        ("address", "text", {"max_length": 200, "required": True}),
        ("region", "text", {"max_length": 60}),
        ("postcode", "text", {"max_length": 6, "check": _check_postcode,
                              "plain": _POSTCODE.fullmatch}),
        ("contact", "text", {"max_length": 40}),
        ("phone", "text", {"max_length": 40}),
    ),
    "banks": _fields(
        "banks",
        ("bank", "text", {"max_length": 60}),
        ("account", "text", {"max_length": 40}),
        ("account_name", "text", {"max_length": 98}),
        ("cnaps", "text", {"max_length": 12, "check": _check_cnaps}),
        ("currency", "text", {"max_length": 20, "default": DEFAULT_CURRENCY}),
    ),
    # The four lines of a VAT invoice (增值税发票): 名称, 纳税人识别号, 地址电话, 开户行及账号.
    "invoices": _fields(
        "invoices",
        ("title", "text", {"max_length": 98, "required": True}),
        ("tax_id", "text", {"max_length": 18, "check": _check_tax_id, "plain": _plain_tax_id}),
        ("address_phone", "text", {"max_length": 200}),
        ("bank_account", "text", {"max_length": 200}),
    ),
}

# The field whose value splits a kind's records into groups with a default each (an address
# has a default per kind); None: one default for all the customer's records of that kind.
GROUP_BY: dict[str, str | None] = {"contacts": None, "addresses": "kind", "banks": None,
                                    "invoices": None}

# (kind, group) -> {sub-record field: customer column}: the default record's values the
# customer row keeps (the card's single fields of before: 联系人, 电话, 手机, Email, 地址, 邮编,
# 发货地址, 开户银行, 银行账号).
MIRROR: dict[tuple[str, str | None], dict[str, str]] = {
    ("contacts", None): {"name": "contact", "phone": "phone", "mobile": "mobile", "email": "email"},
    ("addresses", OFFICE): {"address": "address", "postcode": "postcode"},
    ("addresses", SHIP): {"address": "ship_address"},
    ("banks", None): {"bank": "bank", "account": "bank_account"},
}

# A customer column copied from a default -> (kind, group, field).
MIRRORED: dict[str, tuple[str, str | None, str]] = {
    column: (kind, group, field)
    for (kind, group), columns in MIRROR.items() for field, column in columns.items()}


def by_key(kind: str) -> dict[str, SubField]:
    return {f.key: f for f in FIELDS[kind]}
