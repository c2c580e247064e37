"""The identity numbers kept in 税号 besides the USCC: a personal customer's 身份证 number
(resident identity card, GB 11643, checked with python-stdnum's cn.ric) and a company's
old 15-character 税务登记号 (issued before the USCC: the 6-digit region code, then the
9-character organisation code of GB 11714 with its check character).

The rules need the value alone; db.values.fields applies them to its 税号 field (they take
the field, whose `refuse` names it). Whether a customer is personal (its class,
db.archive.classes.is_personal) is for the caller to know.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError

OLD_TAX_ID_LENGTH = 15
_OLD_TAX_ID = re.compile(r"\d{6}[0-9A-Z]{8}[0-9X]")
_RIC_PLAIN = re.compile(r"\d{17}[0-9X]")
# GB 11714's weights for the eight characters before the organisation code's check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def _compact(text: str) -> str:
    # Copied from cards and licences with blanks or dashes, full-width digits, a small x.
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", text)).upper()


def is_old_tax_id(text: str) -> bool:
    """A valid old-style 15-character 税务登记号 (region code + organisation code)."""
    if not _OLD_TAX_ID.fullmatch(text):
        return False
    total = sum(w * _ORG_VALUE[c] for w, c in zip(_ORG_WEIGHTS, text[6:14]))
    check = (11 - total % 11) % 11
    return text[14] == ("X" if check == 10 else str(check))


def old_tax_id(field, text: str) -> str | None:
    """The compact old-style 税务登记号 when `text` has its 15 characters (refused when its
    organisation code's check character is wrong), None when it is no such number."""
    compact = _compact(text)
    if len(compact) != OLD_TAX_ID_LENGTH:
        return None
    if not is_old_tax_id(compact):
        raise field.refuse("customer.tax_id_old_invalid", text=text)
    return compact


def is_sole_trader(number: str) -> bool:
    """A 个体工商户's 统一社会信用代码: a valid USCC registered by 市场监管 (9) as a sole
    trader (2). A person who trades under their own name holds one instead of (or beside)
    their 身份证 number, and U8 files such customers under 个人 (the demo's 01003); no
    身份证 number starts with 92 (its first two digits are a province, 11-82)."""
    return len(number) == 18 and number.startswith("92") and uscc.is_valid(number)


def check_ric(field, text: str) -> str:
    """A personal customer's 税号: a 身份证 number, or a sole trader's USCC (is_sole_trader)."""
    compact = _compact(text)
    if is_sole_trader(compact):
        return compact
    try:
        if len(compact) == 18 and compact[:17].isdigit():
            ric.get_birth_date(compact)  # the date refused apart from the place: its own line
    except InvalidComponent:
        raise field.refuse("customer.ric_birth_date", text=text) from None
    if len(compact) == 18 and not _RIC_PLAIN.fullmatch(compact):  # a check character is 0-9 or X
        raise field.refuse("customer.ric_format", text=text)
    try:
        return ric.validate(compact)
    except InvalidLength:
        raise field.refuse("customer.ric_length", text=text, length=len(compact)) from None
    except InvalidChecksum:
        raise field.refuse("customer.ric_checksum", text=text) from None
    except InvalidComponent:
        raise field.refuse("customer.ric_birth_place", text=text, place=compact[:6]) from None
    except ValidationError:
        raise field.refuse("customer.ric_format", text=text) from None


@dataclasses.dataclass(frozen=True)
class Person:
    """What a 身份证 number says of its holder."""

    birthday: dt.date
    gender: str  # "male" or "female": the 17th digit, odd for men


def person_of(number: str) -> Person | None:
    """The birthday and gender a valid 身份证 number carries, None for any other value."""
    if not number or not _RIC_PLAIN.fullmatch(number) or not ric.is_valid(number):
        return None
    return Person(ric.get_birth_date(number), "male" if int(number[16]) % 2 else "female")
