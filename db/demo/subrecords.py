"""The demo's sub-records beyond the defaults made from the card (db.archive.subrecords
.seed_from_card): what a sales office's archive holds. Every organisation (one with a tax id)
gets a title for its contact, a bank account with its 联行号 and account name, and its invoice
details (the four lines from its card); every third one a finance contact, every fourth a
bill-to address for that contact. Drawn from the customer's own code, so the demo is the
same on every build; C000355 (北京华联) keeps one contact and no bill-to address, for the
walk-through that adds them."""
from __future__ import annotations

from db.core.models import Address, BankAccount, Contact, Customer, InvoiceInfo
from db.demo import parts

TITLES = ["采购经理", "采购主管", "总经理助理", "店长", "业务经理", "办公室主任", "物资科科长"]
FINANCE_TITLES = ["财务主管", "会计", "出纳", "财务经理"]
# The bank code at the head of a 联行号 (CNAPS): 102 工商银行, 103 农业银行, 104 中国银行...
BANK_CODES = {"中国工商银行": "102", "中国农业银行": "103", "中国银行": "104", "中国建设银行": "105",
              "交通银行": "301", "中信银行": "302", "光大银行": "303", "华夏银行": "304",
              "民生银行": "305", "平安银行": "307", "招商银行": "308", "兴业银行": "309",
              "浦发银行": "310"}


def _cnaps(bank: str, postcode: str, n: int) -> str:
    head = next((code for name, code in BANK_CODES.items() if bank.startswith(name)), "102")
    # bank code, a four-digit city code (here from the postcode), branch number, check digit
    body = f"{head}{postcode[:4] or '1000'}{n * 7919 % 10000:04d}"
    return body + str(sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10)


def enrich() -> None:
    """Add the demo's further records, in the build's transaction."""
    finance, bill_to, invoices = [], [], []
    organisations = Customer.select().where(Customer.tax_id != "").order_by(Customer.id)
    for row in organisations:
        n = int(row.code[1:]) if row.code[1:].isdigit() else row.id
        Contact.update(title=TITLES[n % len(TITLES)], department="采购部").where(
            Contact.customer == row.id, Contact.is_default == True).execute()  # noqa: E712
        BankAccount.update(account_name=row.name, cnaps=_cnaps(row.bank, row.postcode, n)).where(
            BankAccount.customer == row.id).execute()
        invoices.append({"customer": row.id, "is_default": True, "title": row.name,
                         "tax_id": row.tax_id, "address_phone": f"{row.address} {row.phone}".strip(),
                         "bank_account": f"{row.bank} {row.bank_account}".strip()})
        name = parts.SURNAMES[n * 31 % len(parts.SURNAMES)][0] + parts.GIVEN_NAMES[n * 17 % len(parts.GIVEN_NAMES)]
        phone = row.phone[:-1] + str((int(row.phone[-1]) + 2) % 10) if row.phone[-1:].isdigit() else row.phone
        if n % 3 == 2:
            finance.append({"customer": row.id, "name": name, "title": FINANCE_TITLES[n % 4],
                            "department": "财务部", "phone": phone,
                            "mobile": f"13{(n * 104729) % 10 ** 9:09d}"})
        if n % 4 == 1:
            bill_to.append({"customer": row.id, "kind": "开票", "is_default": True,
                            "address": f"{row.address} 财务部", "postcode": row.postcode,
                            "contact": name, "phone": phone, "region": row.region})
    for model, rows in ((Contact, finance), (Address, bill_to), (InvoiceInfo, invoices)):
        for start in range(0, len(rows), 500):
            model.insert_many(rows[start:start + 500]).execute()
