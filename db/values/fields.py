"""The customer card's fields as data: tab, label, kind, limits, and the rules of each field.

The card, the import and the export all walk FIELDS, so a field is declared once. Each field's
`clean(raw)` applies the rules that need nothing but the value itself and returns the value
the model stores; the rules that need the database (code unique, class a leaf) or another
field (stop date not before development date) live in db.archive.customers, which calls these.

Text rules, and why:
- Leading and trailing blanks are dropped; lengths are counted in characters after that.
- Single-line fields refuse every control character, tab included (C0, DEL, C1, and the
  Unicode line and paragraph separators): an ESC starts an ANSI sequence that could repaint
  a terminal when `kehu show` prints the value, a tab or newline breaks the list's columns
  and the CSV export, and none of them can be seen in a one-line box to be removed.
- The remark (备注) is the one multi-line field: pasted notes keep their line breaks and
  tabs (the screen expands tabs when it draws them); other control characters, ESC among
  them, are refused there too.
Markup such as [bold red] is ordinary text to the store: the screens show it literally.
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from db.values import dates, idnumbers, money, regions
from db.core.errors import RuleError

TABS = ("basic", "contact", "credit", "other")
MGMT_TYPES = ("一般客户", "重要客户", "潜在客户", "VIP客户")
DEFAULT_CURRENCY = "人民币"
DEFAULT_MGMT_TYPE = MGMT_TYPES[0]
MAX_CREDIT_DAYS = 9999
MAX_REMARK = 2000

_SINGLE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MULTI_LINE_BAD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CODE = re.compile(r"[A-Za-z0-9_-]+")
_MNEMONIC = re.compile(r"[a-z0-9]+")
_POSTCODE = re.compile(r"\d{6}")
_MOBILE = re.compile(r"1\d{10}")
# local@domain.tld: no blanks, one @, a dot-separated domain without empty labels.
_EMAIL = re.compile(r"[^\s@]+@(?:[^\s@.]+\.)+[^\s@.]+")
_INT = re.compile(r"[-+]?\d+")
_TRUE = {"1", "是", "y", "yes", "true", "t", "√"}
_FALSE = {"", "0", "否", "n", "no", "false", "f", "×"}


def _ascii(text: str) -> str:
    """Full-width letters, digits and signs typed with a Chinese IME folded to ASCII."""
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True)
class Field:
    key: str  # the Customer model attribute
    tab: str  # one of TABS
    # text, date, money, percent, int, choice, class, flag, customer (another customer's code,
    # None when empty), auto (filled by the store)
    kind: str
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    default: str = ""  # what a new card shows, and what an empty entry becomes
    multiline: bool = False
    maximum: int | None = None  # int fields
    check: Callable[["Field", str], str] | None = None  # a text field's own rule, after the common ones
    # For a field with a check: whether an ASCII text is already in the form the check returns
    # (so the check would hand it back unchanged). Lets `clean_many` pass a whole column of
    # such values with one test each instead of the check's normalising and parsing.
    plain: Callable[[str], object] | None = None

    @property
    def label(self) -> str:
        """The catalog key of the field's name (客户编码 / Code)."""
        return f"customer.field.{self.key}"

    @property
    def editable(self) -> bool:
        return self.kind != "auto"

    def refuse(self, key: str, **values) -> RuleError:
        return RuleError(key, field=self.key, label=self.label, **values)

    def clean(self, raw):
        """The value the model stores for what was typed (or read from a cell), or a
        RuleError with field= this field. None counts as empty; a number is read as its text."""
        if self.kind == "date":
            value = dates.parse_date(raw or None, field=self.key, label=self.label)
            if value is None and self.required:
                raise self.refuse("customer.required")
            return value
        if self.kind == "flag" and isinstance(raw, bool):
            return raw
        text = self._text(raw)
        if not text and self.kind == "customer":
            return None
        if not text:
            if self.required:
                raise self.refuse("customer.required")
            text = self.default
        if self.kind == "money":
            return money.parse_money(text, field=self.key, label=self.label)
        if self.kind == "percent":
            return money.parse_percent(text, field=self.key, label=self.label)
        if self.kind == "int":
            return self._int(text)
        if self.kind == "flag":
            return self._flag(text)
        if self.kind == "choice" and text:
            return self._choice(text)
        if self.check is not None and text:
            text = self.check(self, text)
        if self.max_length is not None and len(text) > self.max_length:
            raise self.refuse("customer.too_long", length=len(text), max=self.max_length)
        return text

    def clean_many(self, raws: list) -> list | None:
        """[self.clean(raw) for raw in raws] for a column of text cells (an import), checked
        a column at a time: a 100,000-row file costs a few C-level passes per column instead
        of a Python call per cell. None when the column needs the rules' closer look (a cell
        that is not text, a control character, an empty required cell, a value too long or
        not already in its plain form) or the field is not a text field: the caller then
        cleans the cells one by one, which finds which of them is refused and why."""
        if self.kind not in ("text", "class"):
            return None
        try:
            joined = "".join(raws)
        except TypeError:  # a cell that is not text (a spreadsheet number or date)
            return None
        if self.multiline and "\r" in joined:
            return None
        if (_MULTI_LINE_BAD if self.multiline else _SINGLE_LINE_BAD).search(joined):
            return None
        texts = list(map(str.strip, raws))
        if not all(texts):
            if self.required:
                return None
            texts = [text or self.default for text in texts]
        if self.check is not None:
            # ASCII is left alone by the checks' NFKC folding; `plain` tells the rest.
            present = [text for text in texts if text]
            if (self.plain is None or not "".join(present).isascii()
                    or not all(map(self.plain, present))):
                return None
        if self.max_length is not None and max(map(len, texts), default=0) > self.max_length:
            return None
        return texts

    def _text(self, raw) -> str:
        text = "" if raw is None else str(raw)
        if self.multiline:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        bad = (_MULTI_LINE_BAD if self.multiline else _SINGLE_LINE_BAD).search(text)
        if bad:
            raise self.refuse("customer.control_char", char=f"U+{ord(bad.group()):04X}")
        return text.strip()

    def _int(self, text: str) -> int:
        text = _ascii(text).strip()
        if not text:
            return 0
        if not _INT.fullmatch(text):
            raise self.refuse("customer.int_invalid", text=text)
        if text.startswith("-") and text.strip("-0"):
            raise self.refuse("customer.int_negative", text=text)
        digits = text.lstrip("+-").lstrip("0")
        if len(digits) > len(str(self.maximum)) or int(digits or "0") > self.maximum:
            raise self.refuse("customer.int_too_large", text=text, max=self.maximum)
        return int(digits or "0")

    def _flag(self, text: str) -> bool:
        folded = _ascii(text).strip().lower()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
        raise self.refuse("customer.flag_invalid", text=text)

    def _choice(self, text: str) -> str:
        for choice in self.choices:
            if _ascii(text).casefold() == _ascii(choice).casefold():
                return choice
        raise self.refuse("customer.choice", text=text, choices=" / ".join(self.choices))


def _check_code(field: Field, text: str) -> str:
    text = _ascii(text)
    if not _CODE.fullmatch(text):
        raise field.refuse("customer.code_chars", code=text)
    return text


def _check_class(field: Field, text: str) -> str:
    text = _ascii(text)
    if not _CODE.fullmatch(text):
        raise field.refuse("customer.class_unknown", code=text)
    return text


def _check_region_code(field: Field, text: str) -> str:
    # Historic codes are valid: an archive kept since before a county was renamed holds them.
    # A name that is one region's (a U8 file's 所属地区码 column may hold 北京) is its code.
    text = _ascii(text)
    if regions.is_code(text):
        return text
    found = None if text.isdigit() else regions.match(text)
    if found is None:
        raise field.refuse("customer.region_code", code=text)
    return found.code


def _check_mnemonic(field: Field, text: str) -> str:
    text = _ascii(text).lower()
    if not _MNEMONIC.fullmatch(text):
        raise field.refuse("customer.mnemonic_chars", text=text)
    return text


def _check_tax_id(field: Field, text: str) -> str:
    # A company registered before the USCC (2015) may still give its 15-character 税务登记号.
    old = idnumbers.old_tax_id(field, text)
    if old is not None:
        return old
    # People copy the code from licences with blanks or dashes and in either case.
    compact = re.sub(r"[\s-]", "", _ascii(text)).upper()
    try:
        return uscc.validate(compact)
    except InvalidLength:
        raise field.refuse("customer.tax_id_length", text=text, length=len(compact)) from None
    except InvalidChecksum:
        raise field.refuse("customer.tax_id_checksum", text=text) from None
    except ValidationError:
        raise field.refuse("customer.tax_id_format", text=text) from None


# The USCC's alphabet (no I, O, S, V, Z), as python-stdnum has it: `_plain_tax_id` recomputes
# its check digit without stdnum's per-character cleaning. The check weights are 3**i mod 31,
# so the weighted sum mod 31 is the reversed body read as a base-34 number (34 = 3 mod 31),
# its digits the characters' values: one int() call instead of 17 multiplications.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_BASE34 = str.maketrans(dict(zip(_USCC_ALPHABET, "0123456789abcdefghijklmnopqrstu")))
_USCC_PLAIN = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}")


def _plain_tax_id(text: str) -> bool:
    """A compact, valid USCC (what _check_tax_id returns unchanged)."""
    if not _USCC_PLAIN.fullmatch(text):
        return False
    total = int(text[16::-1].translate(_USCC_BASE34), 34)
    return _USCC_ALPHABET[-total % 31] == text[17]


def _check_postcode(field: Field, text: str) -> str:
    text = _ascii(text).replace(" ", "")
    if not _POSTCODE.fullmatch(text):
        raise field.refuse("customer.postcode", text=text)
    return text


def _check_mobile(field: Field, text: str) -> str:
    # 138 0013 8000, 138-0013-8000 and +86 13800138000 are the same number.
    compact = re.sub(r"[\s-]", "", _ascii(text))
    if compact.startswith("+86"):
        compact = compact[3:]
    if not _MOBILE.fullmatch(compact):
        raise field.refuse("customer.mobile", text=text)
    return compact


def _check_email(field: Field, text: str) -> str:
    text = _ascii(text)
    if not _EMAIL.fullmatch(text):
        raise field.refuse("customer.email", text=text)
    return text


FIELDS: tuple[Field, ...] = (
    # 基本
    Field("code", "basic", "text", required=True, max_length=20, check=_check_code,
          plain=_CODE.fullmatch),
    Field("name", "basic", "text", required=True, max_length=98),
    Field("short_name", "basic", "text", required=True, max_length=60),
    Field("mnemonic", "basic", "text", max_length=60, check=_check_mnemonic,
          plain=_MNEMONIC.fullmatch),
    Field("class_code", "basic", "class", required=True, max_length=12, check=_check_class,
          plain=_CODE.fullmatch),
    Field("region", "basic", "text", max_length=60),
    Field("region_code", "basic", "text", max_length=6, check=_check_region_code),
    Field("industry", "basic", "text", max_length=60),
    Field("tax_id", "basic", "text", max_length=18, check=_check_tax_id,
          plain=_plain_tax_id),
    Field("currency", "basic", "text", max_length=20, default=DEFAULT_CURRENCY),
    Field("legal_person", "basic", "text", max_length=40),
    Field("bank", "basic", "text", max_length=60),
    Field("bank_account", "basic", "text", max_length=40),
    # 总公司编码: the rules that need the archive (exists, no loop) are db.archive.branches'.
    Field("head_office", "basic", "customer", max_length=20, check=_check_code),
    # 联系
    Field("address", "contact", "text", max_length=200),
    Field("postcode", "contact", "text", max_length=6, check=_check_postcode,
          plain=_POSTCODE.fullmatch),
    Field("phone", "contact", "text", max_length=40),
    Field("fax", "contact", "text", max_length=40),
    Field("mobile", "contact", "text", max_length=11, check=_check_mobile,
          plain=_MOBILE.fullmatch),
    Field("email", "contact", "text", max_length=100, check=_check_email,
          plain=_EMAIL.fullmatch),
    Field("contact", "contact", "text", max_length=40),
    Field("ship_address", "contact", "text", max_length=200),
    Field("department", "contact", "text", max_length=60),
    Field("salesperson", "contact", "text", max_length=40),
    # 信用
    Field("credit_grade", "credit", "text", max_length=20),
    Field("credit_limit", "credit", "money"),
    Field("credit_days", "credit", "int", maximum=MAX_CREDIT_DAYS),
    Field("discount_rate", "credit", "percent"),
    Field("payment_terms", "credit", "text", max_length=60),
    # 其它
    Field("dev_date", "other", "date"),
    Field("stop_date", "other", "date"),
    Field("mgmt_type", "other", "choice", choices=MGMT_TYPES, default=DEFAULT_MGMT_TYPE),
    Field("problem", "other", "flag"),
    Field("remark", "other", "text", max_length=MAX_REMARK, multiline=True),
    Field("created_by", "other", "auto"),
    Field("created_at", "other", "auto"),
    Field("modified_by", "other", "auto"),
    Field("modified_at", "other", "auto"),
)

BY_KEY = {f.key: f for f in FIELDS}
EDITABLE = tuple(f for f in FIELDS if f.editable)
# 税号 of a personal customer (个人消费者) holds a 身份证 number: same key, label and length.
PERSONAL_TAX_ID = dataclasses.replace(BY_KEY["tax_id"], check=idnumbers.check_ric, plain=None)
# Fields a person has no use for, hidden on a personal customer's card.
COMPANY_ONLY = ("legal_person",)


def field_for(key: str, personal: bool) -> Field:
    """The field whose rule applies to `key` on a personal (or company) customer."""
    return PERSONAL_TAX_ID if personal and key == "tax_id" else BY_KEY[key]


def tab_label(tab: str) -> str:
    """The catalog key of a tab's name (基本 / Basic)."""
    return f"customer.tab.{tab}"


def on_tab(tab: str) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if f.tab == tab)
