"""Peewee models of the archive, their indexes, and the schema version.

Every model binds to `database`, a proxy that `db.open_store` points at SQLite or PostgreSQL.
Money is kept as integer fen (分) so sums are exact on every database; `db.values.money` converts.
Class and customer codes never change after saving, which is why the customer row may carry
its class code (the list is ordered and paged by (class_code, code) on one index).
"""
import datetime as dt

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    SQL,
    TextField,
)

# Bumped whenever the tables change; db.schema migrates older files and refuses newer ones.
SCHEMA_VERSION = 14  # 2: batch_run, batch_row (批改 results); 3: a contentless locate index;
# 4: an index of the stopped customers; 5: PostgreSQL locates by customer.pieces (a generated
# tsvector column, db.core.dialect) instead of trigram indexes, and its list indexes hold the id;
# 6: customer.name_key and short_key, the pinyin sort keys the name sorts page by; 7: the card's
# sub-records (contact, address, bank_account, invoice_info), filled from the card's single
# fields (db.upgrades); 8: operators, their scopes and the team settings (db.archive.operators),
# change requests; 9: the duplicate check's indexes on tax id,
# mobile and the phone's last digits (db.archive.duplicates), and not_duplicate, the pairs marked
# "not a duplicate"; 10: customer_class.personal (个人消费者, db.archive.classes.set_personal);
# 11: customer.head_office (总公司编码, db.archive.branches) and its index, and the data
# permission's indexes; 12: customer.completeness (完整度, db.archive.completeness), filled by
# the upgrade; 13: customer.region_code (GB/T 2260), matched from the 所属地区 text (db.upgrades);
# 14: membership without the indexes of its customer and dimension alone (the two it has lead
# with them); on PostgreSQL the data permission's policies made again (the customer policy of
# 11-13 read a scope of another dimension's classes against the wrong id)
# The oldest version this one reads as it is, read-only (a writable open upgrades it first).
READABLE_SINCE = 13  # every read of a customer selects the region code of 13, the
# completeness of 12 and the head office of 11; the classes' personal flag of 10, the
# operators of 8 are read on every open, the sub-records of 7 by the card, the sort keys of 6
# by a list sorted by name

database = DatabaseProxy()

MAIN_DIMENSION = "main"


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class SchemaInfo(BaseModel):
    """Key/value facts about the database itself (schema_version)."""

    key = CharField(primary_key=True, max_length=40)
    value = TextField()


class Dimension(BaseModel):
    """A classification tree: the main 客户分类 or another dimension (地区分类, 所有制...).

    `scheme` is the coding scheme ("2-3-4"), `criteria` the criterion of each level, one per
    line. A derived dimension (交易历史, 购买规模, 盈利情况) is computed by rules, never typed.
    """

    id = AutoField()
    code = CharField(max_length=20, unique=True)
    name_zh = CharField(max_length=60)
    name_en = CharField(max_length=60)
    scheme = CharField(max_length=40, default="2-3-4")
    criteria = TextField(default="")
    derived = BooleanField(default=False)
    position = IntegerField(default=0)
    version = IntegerField(default=1)


class CustomerClass(BaseModel):
    """One class (分类) of a dimension. The tree is derived from the codes alone."""

    id = AutoField()
    dimension = ForeignKeyField(Dimension, backref="classes", on_delete="CASCADE")
    code = CharField(max_length=12)
    name = CharField(max_length=60)
    level = IntegerField()
    is_leaf = BooleanField(default=True)
    remark = TextField(default="")
    # 个人消费者: its customers (and its sub-classes') are persons; 税号 holds a 身份证 number.
    personal = BooleanField(default=False)
    version = IntegerField(default=1)
    created_by = CharField(max_length=40, default="")
    created_at = DateTimeField(default=dt.datetime.now)
    modified_by = CharField(max_length=40, default="")
    modified_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("dimension", "code"), True),)


class Customer(BaseModel):
    """The customer card (客户档案), grouped like U8's tabs."""

    id = AutoField()
    # 基本
    code = CharField(max_length=20, unique=True)
    name = CharField(max_length=98)
    short_name = CharField(max_length=60)
    # Pinyin sort keys of name and short_name (db.values.collation), written with them: the
    # lists sorted by name page by these. At most 8 characters per character of the name.
    name_key = CharField(max_length=800, default="")
    short_key = CharField(max_length=480, default="")
    mnemonic = CharField(max_length=60, default="", index=True)
    class_code = CharField(max_length=12)
    region = CharField(max_length=60, default="")
    # GB/T 2260 (db.values.regions), U8's 所属地区码; `region` keeps the text shown, and a
    # text without a code is one no region of the table matched (the health check lists them).
    region_code = CharField(max_length=6, default="")
    industry = CharField(max_length=60, default="")
    tax_id = CharField(max_length=18, default="")
    currency = CharField(max_length=20, default="人民币")
    legal_person = CharField(max_length=40, default="")
    bank = CharField(max_length=60, default="")
    bank_account = CharField(max_length=40, default="")
    # 总公司编码: the code of the customer that is this one's head office (codes never change,
    # as class_code); NULL for most customers, which the partial index below leaves out.
    head_office = CharField(max_length=20, null=True)
    # 联系
    address = CharField(max_length=200, default="")
    postcode = CharField(max_length=6, default="")
    phone = CharField(max_length=40, default="")
    fax = CharField(max_length=40, default="")
    mobile = CharField(max_length=11, default="")
    email = CharField(max_length=100, default="")
    contact = CharField(max_length=40, default="")
    ship_address = CharField(max_length=200, default="")
    department = CharField(max_length=60, default="")
    salesperson = CharField(max_length=40, default="")
    # 信用
    credit_grade = CharField(max_length=20, default="")
    credit_limit = BigIntegerField(default=0)  # fen
    credit_days = IntegerField(default=0)
    discount_rate = IntegerField(default=0)  # hundredths of a percent: 1250 = 12.50 %
    payment_terms = CharField(max_length=60, default="")
    # 其它
    dev_date = DateField(null=True)
    stop_date = DateField(null=True)
    mgmt_type = CharField(max_length=20, default="一般客户")
    problem = BooleanField(default=False)  # 问题客户: set and cleared by a person only
    remark = TextField(default="")
    created_by = CharField(max_length=40, default="")
    created_at = DateTimeField(default=dt.datetime.now)
    modified_by = CharField(max_length=40, default="")
    modified_at = DateTimeField(null=True)
    version = IntegerField(default=1)
    # 完整度: the percent of the weighted fields filled (db.archive.completeness), derived
    # from the columns above and refreshed by every write of them.
    # DEFAULT in the DDL too: a raw INSERT that names only the card's columns (the generated
    # demo) leaves it 0 until its refresh.
    completeness = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])

    class Meta:
        # One index per list order (db.lists.paging), each ending with the columns the list tests
        # on every row (class, stopped), so paging, counts and jumps never read the table.
        indexes = (
            # the completeness too, so the list filtered by it (db.lists.plan) tests it in
            # the index, never reading a row that fails
            (("class_code", "code", "stop_date", "completeness"), False),
            (("code", "class_code", "stop_date"), False),
            (("short_key", "code", "class_code", "stop_date"), False),
            (("name_key", "code", "class_code", "stop_date"), False),
            (("dev_date", "code", "class_code", "stop_date"), False),
            (("region", "code", "class_code", "stop_date"), False),
            # 数据权限: an operator's scope by department or as 专管业务员, its class range
            # within it; a scoped count reads a few thousand index entries, not the class's.
            (("department", "class_code", "stop_date"), False),
            (("salesperson", "class_code", "stop_date"), False),
            # the 完整度 sort, and the filter "below N %" sought as a range of it
            (("completeness", "code", "class_code", "stop_date"), False),
            # The filter by 所属地区码 (a code range: a province's cities) counted and the
            # health check's texts without a code grouped from the index alone.
            (("region_code", "stop_date", "region"), False),
        )


# The stopped customers alone, a few in a hundred: the opening list (every customer not
# stopped) is counted as all customers less these, two index reads instead of a scan of a
# million index entries (db.lists.paging.count).
Customer.add_index(Customer.index(Customer.stop_date, name="customer_stopped")
                   .where(Customer.stop_date.is_null(False)))


# A head office's branches (db.archive.branches): only the customers that name a head.
Customer.add_index(Customer.index(Customer.head_office, Customer.code, name="customer_head_office")
                   .where(Customer.head_office.is_null(False)))


class Membership(BaseModel):
    """A customer's class in a dimension other than the main one: at most one per dimension."""

    id = AutoField()
    # No index of their own: the two below lead with each (an evaluation's apply rewrites
    # millions of memberships, and every index is one more entry for each).
    customer = ForeignKeyField(Customer, backref="memberships", on_delete="CASCADE", index=False)
    dimension = ForeignKeyField(Dimension, on_delete="CASCADE", index=False)
    class_code = CharField(max_length=12)
    customer_code = CharField(max_length=20)

    class Meta:
        indexes = (
            (("customer", "dimension"), True),
            (("dimension", "class_code", "customer_code"), False),
        )


class Sale(BaseModel):
    """One sales document of a customer (客户销售业绩档案); money in fen."""

    id = AutoField()
    customer = ForeignKeyField(Customer, backref="sales", on_delete="RESTRICT")
    date = DateField()
    doc_no = CharField(max_length=30)
    amount = BigIntegerField()
    cost = BigIntegerField(default=0)

    class Meta:
        indexes = ((("customer", "date"), False), (("date",), False))


class Rule(BaseModel):
    """A parameter of the evaluation rules (periods, thresholds), editable on the rules screen."""

    key = CharField(primary_key=True, max_length=60)
    value = TextField()


class ChangeLog(BaseModel):
    """操作日志: one change to one row, written in the same transaction as the change.

    `changes` is JSON: {field: [old, new]}. `batch` groups the rows of one batch operation.
    """

    id = AutoField()
    at = DateTimeField(default=dt.datetime.now, index=True)
    who = CharField(max_length=40, index=True)
    action = CharField(max_length=20)
    entity = CharField(max_length=20)
    entity_code = CharField(max_length=40)
    changes = TextField(default="{}")
    batch = CharField(max_length=40, default="")

    class Meta:
        indexes = ((("entity", "entity_code", "at"), False),)


class EvaluationRun(BaseModel):
    """One dry run of the evaluation rules (db.evaluation.rules.evaluate): as of which date, by whom,
    with which rule values, so the review screen can word each proposal's reason later."""

    id = AutoField()
    at = DateTimeField(default=dt.datetime.now)
    who = CharField(max_length=40)
    as_of = DateField()
    rules = TextField(default="{}")  # JSON: the rule values in force, storage units
    vip_cutoff = BigIntegerField(null=True)  # fen: 12-month sales of the N-th eligible customer
    applied_at = DateTimeField(null=True)  # set when every pending proposal was applied at once


class Proposal(BaseModel):
    """A change an evaluation run proposes: one customer, one target (a derived dimension's
    code or "mgmt_type"), from -> to, the reason's catalog key and the figures that decided.

    Kept in the database so a review of a million proposals pages and counts in SQL.
    `status`: "" pending, "applied" (applied as part of a marked subset), "stale" (the value
    changed after the run, so skipped). Applying a whole run sets EvaluationRun.applied_at
    instead of rewriting a million status values.
    """

    id = AutoField()
    # The run's id, deliberately not a foreign key: SQLite empties a table without foreign
    # keys at once (DELETE without WHERE), while with one it deletes 3,000,000 rows one by one.
    run_id = IntegerField()
    customer_id = IntegerField()
    customer_code = CharField(max_length=20)
    target = CharField(max_length=20)
    from_code = CharField(max_length=20)
    to_code = CharField(max_length=20)
    reason = CharField(max_length=40)
    amount = BigIntegerField(default=0)  # fen, last 12 months
    cost = BigIntegerField(default=0)  # fen, last 12 months
    orders = IntegerField(default=0)  # last 12 months
    first_date = DateField(null=True)
    last_date = DateField(null=True)
    status = CharField(max_length=10, default="")

    class Meta:
        indexes = (
            (("run_id", "customer_code", "target"), True),
            (("run_id", "target", "from_code", "to_code"), False),
        )


class BatchRun(BaseModel):
    """One 批改 (batch modify): which field was set to which value, by whom, and the counts.
    Its rows' history entries carry `batch` = "batch-<id>"."""

    id = AutoField()
    at = DateTimeField(default=dt.datetime.now)
    who = CharField(max_length=40)
    field = CharField(max_length=20)
    value = TextField(null=True)  # as the history writes it (dates ISO), None = cleared date
    total = IntegerField(default=0)
    changed = IntegerField(default=0)


class BatchRow(BaseModel):
    """One targeted customer of a batch run and what happened to it, kept in the database
    so a result list of 100,000 rows pages and counts in SQL.

    `outcome` is "changed" or "skipped"; `reason` (skipped) is "deleted", "changed" (by
    someone else since it was marked), "same" (already had the value) or a rule's name.
    `seen_version` is the version the row was marked at (None: marked by a list query)."""

    id = AutoField()
    run = ForeignKeyField(BatchRun, backref="rows", on_delete="CASCADE", index=False)
    code = CharField(max_length=20)
    customer_id = IntegerField(null=True)
    seen_version = IntegerField(null=True)
    old = TextField(null=True)
    outcome = CharField(max_length=10, default="")
    reason = CharField(max_length=20, default="")

    class Meta:
        # No index on outcome: classifying rewrites it on every row, and a page of one
        # outcome walks (run, id) skipping the others, cheap at a run's size.
        indexes = ((("run", "id"), False), (("run", "code"), True))


class SubRecord(BaseModel):
    """A record of one of the card's lists (db.values.subfields): the customer's, with its own
    version (checked on every write) and whether it is the default of its kind."""

    id = AutoField()
    customer = ForeignKeyField(Customer, on_delete="CASCADE", index=False)
    is_default = BooleanField(default=False)
    version = IntegerField(default=1)


class Contact(SubRecord):
    """联系人: one of a customer's contact people."""

    name = CharField(max_length=40, default="")
    title = CharField(max_length=40, default="")
    department = CharField(max_length=60, default="")
    mobile = CharField(max_length=11, default="")
    phone = CharField(max_length=40, default="")
    email = CharField(max_length=100, default="")
    birthday = DateField(null=True)
    remark = CharField(max_length=200, default="")

    class Meta:
        # name and mobile: locate finds a customer by a contact's full name or mobile number
        indexes = ((("customer", "id"), False), (("name",), False), (("mobile",), False))


class Address(SubRecord):
    """地址: where goods go (收货), where invoices go (开票), the office (办公)."""

    kind = CharField(max_length=4, default="收货")
    address = CharField(max_length=200, default="")
    region = CharField(max_length=60, default="")
    postcode = CharField(max_length=6, default="")
    contact = CharField(max_length=40, default="")
    phone = CharField(max_length=40, default="")

    class Meta:
        indexes = ((("customer", "id"), False),)


class BankAccount(SubRecord):
    """银行: a bank account of the customer, with its 联行号 (CNAPS code, 12 digits)."""

    bank = CharField(max_length=60, default="")
    account = CharField(max_length=40, default="")
    account_name = CharField(max_length=98, default="")
    cnaps = CharField(max_length=12, default="")
    currency = CharField(max_length=20, default="人民币")

    class Meta:
        indexes = ((("customer", "id"), False),)


class InvoiceInfo(SubRecord):
    """开票信息: the four lines of a VAT invoice made out to the customer."""

    title = CharField(max_length=98, default="")
    tax_id = CharField(max_length=18, default="")
    address_phone = CharField(max_length=200, default="")
    bank_account = CharField(max_length=200, default="")

    class Meta:
        indexes = ((("customer", "id"), False),)


# At most one default per customer (per kind of address): the database holds the rule, so
# two sessions making different records the default cannot both succeed.
for _model, _columns in ((Contact, ("customer",)), (Address, ("customer", "kind")),
                         (BankAccount, ("customer",)), (InvoiceInfo, ("customer",))):
    _model.add_index(_model.index(*(getattr(_model, c) for c in _columns), unique=True,
                                  name=f"{_model._meta.table_name}_default")
                     .where(_model.is_default == True))  # noqa: E712


class Operator(BaseModel):
    """操作员: a login (the OS user on SQLite, the database role on PostgreSQL), its role
    (admin, editor, approver, viewer) and, with OperatorScope, the customers it may see.
    `own_customers` (专管业务员): only customers whose salesperson is this operator's name."""

    login = CharField(primary_key=True, max_length=63)
    name = CharField(max_length=40, default="")
    department = CharField(max_length=60, default="")
    role = CharField(max_length=10, default="viewer")
    own_customers = BooleanField(default=False)
    version = IntegerField(default=1)


class OperatorScope(BaseModel):
    """One piece of an operator's data permission: a class subtree of a dimension
    (kind "class", `dimension`, `value` the class code) or a department (kind "department")."""

    id = AutoField()
    operator = ForeignKeyField(Operator, field=Operator.login, column_name="login",
                               on_delete="CASCADE")
    kind = CharField(max_length=12)
    dimension = CharField(max_length=20, default="")
    value = CharField(max_length=60)


class TeamSetting(BaseModel):
    """An archive setting of team work: what an unknown login may do (db.archive.operators)."""

    key = CharField(primary_key=True, max_length=40)
    value = TextField()


class ChangeRequest(BaseModel):
    """客户申请: a new customer waiting for approval (kind "new": the customer exists, marked
    pending) or a change of chosen fields (kind "change": `changes` JSON {field: [old, new]},
    the card keeping its values until approved). `status`: pending, approved, rejected;
    who asked and when, who decided and when (db.archive.approval)."""

    id = AutoField()
    kind = CharField(max_length=10)
    customer_code = CharField(max_length=20, index=True)
    changes = TextField(default="{}")
    status = CharField(max_length=10, default="pending", index=True)
    requested_by = CharField(max_length=63)
    requested_at = DateTimeField()
    decided_by = CharField(max_length=63, default="")
    decided_at = DateTimeField(null=True)
    reason = TextField(default="")


class NotDuplicate(BaseModel):
    """A pair of customers a person marked "not a duplicate" (查重): never proposed again.
    The codes are kept in order (code_a < code_b), so a pair has one row."""

    id = AutoField()
    code_a = CharField(max_length=20)
    code_b = CharField(max_length=20)
    who = CharField(max_length=40, default="")
    at = DateTimeField(default=dt.datetime.now)

    class Meta:
        indexes = ((("code_a", "code_b"), True),)


ALL_MODELS = [SchemaInfo, Dimension, CustomerClass, Customer, Membership, Sale, Rule, ChangeLog,
              EvaluationRun, Proposal, BatchRun, BatchRow, Contact, Address, BankAccount, InvoiceInfo,
              Operator, OperatorScope, TeamSetting, ChangeRequest, NotDuplicate]
