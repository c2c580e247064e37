"""The columns of import and export files: each field's header in Chinese (U8's column
title first), in English, and the other titles people's spreadsheets use.

These are a file format, not UI words: an export writes `zh` or `en` as its header row, and
an import recognises any of `names()`, whatever the language in force, so a file written by
kehu, by U8 or by hand reads back the same.

A customer field's kind and rules are declared once, in db.values.fields; `kind` here serves the
class and sales files only: text, date or money (integer fen). `importable=False` marks the
columns an export writes but an import ignores (建档人, 变更日期: the store sets those).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"
    required: bool = False
    importable: bool = True

    def names(self) -> tuple[str, ...]:
        return (self.zh, self.en, self.field, *self.aliases)

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def normalize(header) -> str:
    """A header as compared: NFKC (full-width to ASCII), no spaces, no required-field
    marks (U8 writes *客户编码), lower case."""
    text = unicodedata.normalize("NFKC", "" if header is None else str(header))
    return re.sub(r"[\s*＊:：_\-]+", "", text).lower()


C = Column
CUSTOMER_COLUMNS: list[Column] = [
    # 基本
    C("code", "客户编码", "Code", ("编码", "客户代码", "customer code", "ccuscode"), required=True),
    C("name", "客户名称", "Name", ("名称", "客户全称", "customer name", "ccusname"), required=True),
    C("short_name", "客户简称", "Short name", ("简称", "shortname", "ccusabbname"), required=True),
    C("mnemonic", "助记码", "Mnemonic", ("ccusmnemcode",)),
    C("class_code", "所属分类码", "Class", ("客户分类编码", "所属分类", "分类编码", "客户分类", "class code", "ccccode"), required=True),
    C("region", "所属地区", "Region", ("地区",)),
    C("region_code", "所属地区码", "Region code", ("地区编码", "region code", "cdccode")),
    C("industry", "所属行业", "Industry", ("行业", "ctrade")),
    C("tax_id", "税号", "Tax ID", ("纳税人登记号", "统一社会信用代码", "tax number", "cregcode")),
    C("currency", "币种", "Currency", ("cexch_name",)),
    C("legal_person", "法人", "Legal person", ("法人代表", "clperson")),
    C("bank", "开户银行", "Bank", ("cbank",)),
    C("bank_account", "银行账号", "Bank account", ("账号", "caccount")),
    C("head_office", "总公司编码", "Head office", ("总公司", "head office code", "ccusheadcode")),
    # 联系
    C("address", "地址", "Address", ("客户地址", "caddress")),
    C("postcode", "邮政编码", "Postcode", ("邮编", "postal code", "zip", "cpostcode")),
    C("phone", "电话", "Phone", ("联系电话", "telephone", "cphone")),
    C("fax", "传真", "Fax", ("cfax",)),
    C("mobile", "手机", "Mobile", ("手机号", "移动电话", "chandphone")),
    C("email", "Email", "Email", ("电子邮件", "邮箱", "e-mail", "cemail")),
    C("contact", "联系人", "Contact", ("ccusperson",)),
    C("ship_address", "发货地址", "Shipping address", ("到货地址", "cshipaddress")),
    C("department", "分管部门", "Department", ("部门", "cdepcode")),
    C("salesperson", "专管业务员", "Salesperson", ("专营业务员", "业务员", "cpersoncode")),
    # 信用
    C("credit_grade", "信用等级", "Credit grade", ("ccreditrank",)),
    C("credit_limit", "信用额度", "Credit limit", ("icuscreline",)),
    C("credit_days", "信用期限", "Credit days", ("信用期限(天)", "icuscredate")),
    C("discount_rate", "扣率", "Discount rate", ("扣率(%)", "discount", "idiscountrate")),
    C("payment_terms", "付款条件", "Payment terms", ("cpaycode",)),
    # 其它
    C("dev_date", "发展日期", "Development date", ("ddevdate",)),
    C("stop_date", "停用日期", "Stop date", ("dendate",)),
    C("mgmt_type", "客户管理类型", "Management type", ("管理类型",)),
    C("problem", "问题客户", "Problem customer", ("problem customer",)),
    C("remark", "备注", "Remark", ("cmemo",)),
    C("created_by", "建档人", "Created by", ("ccreateperson",), importable=False),
    C("created_at", "建档日期", "Created at", ("dcreatedate",), importable=False),
    C("modified_by", "变更人", "Modified by", ("cmodifyperson",), importable=False),
    C("modified_at", "变更日期", "Modified at", ("dmodifydate",), importable=False),
]

# One row per class; the dimension columns let one file carry every dimension's tree and
# recreate a dimension missing from the target archive.
CLASS_COLUMNS: list[Column] = [
    C("dimension", "维度编码", "Dimension", ("维度", "dimension code")),
    C("dimension_name", "维度名称", "Dimension name"),
    C("dimension_name_en", "维度英文名称", "Dimension name (English)"),
    C("scheme", "编码方案", "Coding scheme", ("scheme",)),
    C("code", "分类编码", "Class code", ("客户分类编码", "编码", "ccccode"), required=True),
    C("name", "分类名称", "Class name", ("客户分类名称", "名称", "cccname"), required=True),
    C("remark", "备注", "Remark"),
    # 个人消费者 (db.archive.classes.set_personal): 是 / 否, main dimension only
    C("personal", "个人消费者", "Personal", ("个人", "personal customers")),
]

SALE_COLUMNS: list[Column] = [
    C("customer", "客户编码", "Customer code", ("客户", "ccuscode", "code"), required=True),
    C("date", "单据日期", "Date", ("日期", "销售日期", "ddate"), kind="date", required=True),
    C("doc_no", "单据号", "Document no", ("单号", "发票号", "csocode", "doc no"), required=True),
    C("amount", "金额", "Amount", ("销售金额", "价税合计", "isum"), kind="money", required=True),
    C("cost", "成本", "Cost", ("销售成本", "icost"), kind="money"),
]

# A sub-record sheet's rows: the customer's code, the record's fields (db.values.subfields.FIELDS,
# in form order, titled as the card's tab titles them) and whether it is the default.
_OWNER = C("customer", "客户编码", "Customer code", ("客户", "ccuscode", "code"), required=True)
_DEFAULT = C("is_default", "默认", "Default", ("是否默认", "bdefault"))
SUB_COLUMNS: dict[str, list[Column]] = {
    "contacts": [_OWNER, C("name", "姓名", "Name", ("联系人", "contact")), C("title", "职务", "Title"),
                 C("department", "部门", "Department"), C("mobile", "手机", "Mobile"),
                 C("phone", "电话", "Phone"), C("email", "Email", "Email"),
                 C("birthday", "生日", "Birthday", kind="date"), C("remark", "备注", "Remark"), _DEFAULT],
    "addresses": [_OWNER, C("kind", "类型", "Kind", ("地址类型",)), C("address", "地址", "Address"),
                  C("region", "地区", "Region"), C("postcode", "邮编", "Postcode", ("邮政编码",)),
                  C("contact", "联系人", "Contact"), C("phone", "电话", "Phone"), _DEFAULT],
    "banks": [_OWNER, C("bank", "开户银行", "Bank"), C("account", "银行账号", "Account"),
              C("account_name", "账户名称", "Account name"), C("cnaps", "联行号", "CNAPS code"),
              C("currency", "币种", "Currency"), _DEFAULT],
    "invoices": [_OWNER, C("title", "名称", "Title", ("抬头", "开票名称")),
                 C("tax_id", "纳税人识别号", "Tax id", ("税号",)),
                 C("address_phone", "地址电话", "Address and phone", ("地址、电话",)),
                 C("bank_account", "开户行及账号", "Bank and account"), _DEFAULT],
}

COLUMNS = {"customers": CUSTOMER_COLUMNS, "classes": CLASS_COLUMNS, "sales": SALE_COLUMNS,
           **SUB_COLUMNS}

# The titles of a customer file saved from U8's 客户档案 list, in its order: what `kehu export
# --u8` writes, and (each a name of its column above) what an import reads without renaming.
U8_CUSTOMER_TITLES = (
    ("code", "客户编码"), ("name", "客户名称"), ("short_name", "客户简称"),
    ("class_code", "所属分类码"), ("region_code", "所属地区码"), ("tax_id", "税号"),
    ("legal_person", "法人"), ("bank", "开户银行"), ("bank_account", "银行账号"),
    ("address", "地址"), ("postcode", "邮政编码"), ("contact", "联系人"), ("phone", "电话"),
    ("mobile", "手机"), ("salesperson", "专营业务员"), ("department", "分管部门"),
    ("dev_date", "发展日期"), ("stop_date", "停用日期"), ("credit_grade", "信用等级"),
    ("credit_limit", "信用额度"), ("credit_days", "信用期限"), ("discount_rate", "扣率"),
    ("payment_terms", "付款条件"), ("remark", "备注"),
)


def u8_customer_columns() -> list[Column]:
    """The customer columns of U8's list, each headed (in Chinese) by U8's own title."""
    from dataclasses import replace

    known = {c.field: c for c in CUSTOMER_COLUMNS}
    return [replace(known[fld], zh=title) for fld, title in U8_CUSTOMER_TITLES]

# The name of a customer's class: a column of the archive's list, and so of a list's export,
# but not of the customer (the class table holds it); an import leaves it alone.
CLASS_NAME = C("class_name", "分类名称", "Class name", importable=False)

# Sheet names of a whole-archive workbook, and the names an import looks for.
SHEETS = {
    "customers": ("客户档案", "Customers", "customers", "客户"),
    "classes": ("客户分类", "Classes", "classes", "分类"),
    "sales": ("销售", "Sales", "sales", "销售业绩"),
    # The card's sub-records (db.values.subfields), a sheet each, keyed by the customer code.
    "contacts": ("联系人", "Contacts", "contacts", "客户联系人"),
    "addresses": ("地址", "Addresses", "addresses", "收货地址"),
    "banks": ("银行", "Banks", "banks", "银行账户"),
    "invoices": ("开票信息", "Invoice", "invoices", "invoice"),
}

# The field of a dimension column in a customer file (its header is the dimension's name or code).
DIMENSION_PREFIX = "dim:"


def by_field(kind: str) -> dict[str, Column]:
    return {c.field: c for c in COLUMNS[kind]}
