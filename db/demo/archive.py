"""The demo archive: `build` loads fixtures/ into a fresh store; `generate` composes a large one.

Both fill an empty store in one transaction with bulk inserts (never one save per row), then
rebuild the locate index once. `kehu --demo` calls `build` before it opens the app, so it must
stay well under a second and a half; `generate` makes 1,000,000 customers for benchmarks.
"""
from __future__ import annotations

import csv
import datetime as dt
import queue
import random
import threading
from decimal import Decimal
from pathlib import Path

from db.demo import parts as parts
from db.archive import completeness, region_codes, search, subrecords
from db.demo import subrecords as demo_subrecords
from db.demo import groups
from db.core import dialect
from db.values import collation, regions
from db.values.coding import CodingScheme
from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION, Customer, CustomerClass, Dimension, Membership, Sale, SchemaInfo
from db.core.session import Store
from db.opening import open_store

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
# Who and when the demo's classes were set up (fixed, so the demo reads the same every time).
SETUP_BY = "demo"
SETUP_AT = dt.datetime(2015, 1, 1, 9, 0)
# The SchemaInfo key that marks an archive built from fixtures/ (see has_planted_problems).
PLANTED = "demo_planted"
# The demo's stories are told relative to this day (see fixtures/generate.py).
DEMO_TODAY = dt.date(2026, 11, 23)

CUSTOMER_COLUMNS = [
    "code", "name", "short_name", "mnemonic", "class_code", "region", "industry", "tax_id",
    "currency", "legal_person", "bank", "bank_account", "address", "postcode", "phone", "fax",
    "mobile", "email", "contact", "ship_address", "department", "salesperson", "credit_grade",
    "credit_limit", "credit_days", "discount_rate", "payment_terms", "dev_date", "stop_date",
    "mgmt_type", "problem", "remark", "created_by", "created_at", "modified_by", "modified_at",
]


def _rows(name: str, folder: Path) -> list[dict[str, str]]:
    # utf-8-sig: a file saved again from a spreadsheet starts with a byte-order mark.
    with open(folder / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _hundredths(text: str) -> int:
    """"1234.50" (yuan, or per cent) -> 123450 (fen, or hundredths of a per cent), exactly.

    The files hold two decimals, read by dropping the point; anything else a person typed
    goes through Decimal."""
    if len(text) > 3 and text[-3] == "." and text.replace(".", "", 1).lstrip("-").isdigit():
        return int(text.replace(".", "", 1))
    try:
        return int(Decimal(text or "0").scaleb(2).to_integral_value())
    except ArithmeticError:  # decimal.InvalidOperation: not a number at all
        raise RuleError("demo.bad_number", text=text) from None


def _insert(model, columns: list[str], rows) -> None:
    """A bulk INSERT through the driver's executemany: the rows never become model objects
    nor pass through peewee's query builder (which costs more than the insert itself).

    Columns not named take the model's default (the table itself has none), so a column
    added to the model later does not break the load."""
    db = model._meta.database
    rest = [f for f in model._meta.sorted_fields
            if f.name not in columns and not f.primary_key and f.default is not None]
    defaults = tuple(f.db_value(f.default() if callable(f.default) else f.default) for f in rest)
    names = ", ".join(f'"{f.column_name}"' for f in [model._meta.fields[c] for c in columns] + rest)
    marks = ", ".join([db.param] * (len(columns) + len(rest)))
    if defaults:
        rows = (row + defaults for row in rows)
    db.cursor().executemany(f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES ({marks})', rows)


def _fresh(path) -> Store:
    """Open (creating) the store at `path`; refuse one that already holds customers."""
    store = open_store(str(path))
    main = Dimension.get(Dimension.code == MAIN_DIMENSION)
    if Customer.select().exists() or CustomerClass.select().where(CustomerClass.dimension == main.id).exists():
        store.close()
        raise RuleError("demo.not_empty", path=str(path))
    return store


def load_classification(folder: Path = FIXTURES) -> dict[str, Dimension]:
    """Dimensions and their classes from dimensions.csv and classes.csv.

    Level and leaf flag come from the codes themselves, so a person editing the fixture only
    writes codes and names; a code that does not fit its scheme is refused with the same
    message a person typing it would get."""
    dims: dict[str, Dimension] = {}
    for position, row in enumerate(_rows("dimensions.csv", folder)):
        values = dict(name_zh=row["name_zh"], name_en=row["name_en"], scheme=row["scheme"],
                      criteria="\n".join(row["criteria"].split("|")), position=position)
        CodingScheme.parse(row["scheme"])
        dim = Dimension.get_or_none(Dimension.code == row["code"])
        if dim is None:
            dim = Dimension.create(code=row["code"], **values)
        else:
            Dimension.update(**values).where(Dimension.id == dim.id).execute()
        dims[row["code"]] = dim
    by_dim: dict[str, list[dict[str, str]]] = {}
    for row in _rows("classes.csv", folder):
        by_dim.setdefault(row["dimension"], []).append(row)
    rows = []
    for dim_code, classes in by_dim.items():
        if dim_code not in dims:
            raise RuleError("dimension.unknown", dimension=dim_code)
        scheme = CodingScheme.parse(dims[dim_code].scheme)
        codes = {r["code"] for r in classes}
        parents = {scheme.parent_of(c) for c in codes}
        for r in sorted(classes, key=lambda r: r["code"]):
            code = r["code"]
            level = scheme.level_of(code)
            parent = scheme.parent_of(code) if level else None
            if level is None or (parent is not None and parent not in codes):
                scheme.check_code(code, parent)  # raises the message saying what is expected
                raise RuleError("class.parent_missing", field="code", parent=parent)
            # personal: 1 on a class of persons (个人消费者); the rows after may leave it out.
            rows.append((dims[dim_code].id, code, r["name"], level, code not in parents,
                         r.get("remark", ""), r.get("personal") == "1", 1, SETUP_BY, SETUP_AT))
    _insert(CustomerClass, ["dimension", "code", "name", "level", "is_leaf", "remark", "personal",
                            "version", "created_by", "created_at"], rows)
    return dims


def _leaves(dim: Dimension) -> set[str]:
    query = CustomerClass.select(CustomerClass.code).where(
        CustomerClass.dimension == dim.id, CustomerClass.is_leaf == True)  # noqa: E712
    return {code for (code,) in query.tuples()}


def _id(ids: dict[str, int], code: str) -> int:
    try:
        return ids[code]
    except KeyError:
        raise RuleError("demo.unknown_customer", code=code) from None


def build(path, folder: Path = FIXTURES) -> Store:
    """Create the demo archive at `path` from the CSV files in `folder`; return the open store."""
    store = _fresh(path)
    try:
        with store.writing():
            dims = load_classification(folder)
            main_leaves = _leaves(dims[MAIN_DIMENSION])
            customers = []
            for r in _rows("customers.csv", folder):
                if r["class_code"] not in main_leaves:
                    raise RuleError("demo.not_leaf", code=r["code"], class_code=r["class_code"])
                customers.append((
                    *(r[c] for c in CUSTOMER_COLUMNS[:23]),
                    _hundredths(r["credit_limit"]), int(r["credit_days"] or 0),
                    _hundredths(r["discount_rate"]), r["payment_terms"], r["dev_date"] or None,
                    r["stop_date"] or None, r["mgmt_type"], r["problem"] == "1", r["remark"],
                    r["created_by"], r["created_at"] or SETUP_AT, r["modified_by"],
                    r["modified_at"] or None, 1, collation.key(r["name"]), collation.key(r["short_name"])))
            _insert(Customer, CUSTOMER_COLUMNS + KEYED_TAIL, customers)
            completeness.refresh()
            ids = dict(Customer.select(Customer.code, Customer.id).tuples())
            leaves = {code: _leaves(dim) for code, dim in dims.items()}
            members = []
            for r in _rows("memberships.csv", folder):
                if r["class_code"] not in leaves[r["dimension"]]:
                    raise RuleError("demo.not_leaf", code=r["customer_code"], class_code=r["class_code"])
                members.append((_id(ids, r["customer_code"]), dims[r["dimension"]].id, r["class_code"],
                                r["customer_code"]))
            _insert(Membership, ["customer", "dimension", "class_code", "customer_code"], members)
            _insert(Sale, ["customer", "date", "doc_no", "amount", "cost"],
                    ((_id(ids, r["customer_code"]), r["date"], r["doc_no"], _hundredths(r["amount"]),
                      _hundredths(r["cost"])) for r in _rows("sales.csv", folder)))
            region_codes.fill_from_texts()
            subrecords.seed_from_card()
            demo_subrecords.enrich()
            groups.link()
            search.rebuild()
            SchemaInfo.create(key=PLANTED, value="fixtures")
    except BaseException:
        store.close()
        raise
    return store


def has_planted_problems() -> bool:
    """Whether the open archive is the demo built from fixtures/, which keeps some problems
    for 分类检查 to find (fixtures/generate.py plants them)."""
    return SchemaInfo.get_or_none(SchemaInfo.key == PLANTED) is not None


# generate(): management types and their share of a generated archive, and the credit terms
# each type gets: (grade, limit in fen, days, discount in hundredths of a per cent, terms).
GENERATED_TYPES = [("一般客户", 70), ("重要客户", 14), ("潜在客户", 12), ("VIP客户", 4)]
CREDIT_TERMS = {
    "VIP客户": [("AAA", 200_000_000, 90, 1000, "月结90天"), ("AA", 100_000_000, 60, 800, "月结60天")],
    "重要客户": [("AA", 50_000_000, 60, 500, "承兑汇票60天"), ("A", 30_000_000, 45, 400, "月结45天"),
             ("A", 20_000_000, 30, 300, "月结30天")],
    "一般客户": [("A", 10_000_000, 30, 200, "月结30天"), ("BBB", 5_000_000, 15, 100, "月结15天"),
             ("BB", 2_000_000, 0, 0, "款到发货")],
    "潜在客户": [("BBB", 0, 0, 0, "款到发货"), ("BB", 0, 0, 0, "现款现货")],
}
FIRST_DAY = dt.date(2015, 1, 1)  # development dates run from here to DEMO_TODAY
SALES_FROM = dt.date(2022, 1, 1)
STOPPED_SHARE = 0.03
BATCH = 50_000
# After the row's own columns: its version and the names' sort keys (db.values.collation).
KEYED_TAIL = ["version", "name_key", "short_key"]
GENERATED_COLUMNS = ["id"] + CUSTOMER_COLUMNS + KEYED_TAIL + ["region_code"]


def _pool(items, weights, scale: int = 1000) -> list:
    """A list holding each item in proportion to its weight: one random index picks one."""
    total = sum(weights)
    return [item for item, w in zip(items, weights) for _ in range(round(w / total * scale))]


def _customer_batches(n: int, rng: random.Random, leaves: list[str], dims: dict[str, Dimension],
                      region_codes: dict[str, str]):
    """Yield n customer rows (id and every column) and their memberships, BATCH customers at
    a time, as (customers, memberships).

    Composed from parts whose strings and initials are computed once: per customer this is
    a few dozen random picks and string joins, no date arithmetic, and pinyin only as the
    names' sort keys (a str.translate each)."""
    rnd, bits = rng.random, rng.getrandbits
    sort_key = collation.key
    leaf_pool = _pool([(code, *parts.leaf_spec(code)) for code in leaves], [parts.leaf_weight(c) for c in leaves])
    places = parts.places()
    # 所属地区 is the province's short name (北京, 河北), its code the province's (110000).
    place_codes = {p.province: regions.match(p.province).code for p in places}
    place_pool = _pool(places, [p.weight for p in places])
    surnames = _pool(*zip(*parts.SURNAMES), scale=2000)
    given = parts.GIVEN_NAMES
    spelled = {p: parts.surname_spelled(p) for p in surnames} | {p: parts.spelled(p) for p in given}
    trades = parts.TRADE_NAMES * 8 + parts.LOCATE_TRADE_NAMES
    type_pool = _pool(*zip(*GENERATED_TYPES), scale=100)
    ownership_pool = _pool(*zip(*parts.COMPANY_OWNERSHIP), scale=100)
    days = [dt.date.fromordinal(d).isoformat() for d in range(FIRST_DAY.toordinal(), DEMO_TODAY.toordinal() + 1)]
    times = [f" {h:02d}:{m:02d}:00" for h in range(8, 18) for m in range(0, 60, 7)]
    streets, banks, operators, hosts = parts.STREETS, parts.BANKS, parts.OPERATORS, parts.MAIL_HOSTS
    remarks, person_remarks = parts.REMARKS, parts.PERSON_REMARKS
    width = max(6, len(str(n)))
    region_dim, ownership_dim, product_dim = (dims[c].id for c in ("region", "ownership", "product"))
    n_leaf, n_place, n_surname, n_given, n_trade, n_type, n_own, n_days = (
        len(leaf_pool), len(place_pool), len(surnames), len(given), len(trades), len(type_pool),
        len(ownership_pool), len(days))
    rows: list[tuple] = []
    members: list[tuple] = []
    for i in range(1, n + 1):
        code = f"C{i:0{width}d}"
        leaf, kind, industry, words = leaf_pool[int(rnd() * n_leaf)]
        place = place_pool[int(rnd() * n_place)]
        person = (surnames[int(rnd() * n_surname)], given[int(rnd() * n_given)])
        ownership = parts.OWNERSHIP_OF_KIND.get(kind) or ownership_pool[int(rnd() * n_own)]
        if ownership == "03" and leaf not in parts.SMALL_BUSINESS_LEAVES:
            ownership = "02"
        word = words[int(rnd() * len(words))] if words else ""
        suffixes = parts.suffixes_for(ownership, word) if kind == "company" else ("",)
        name, short, mnemonic = parts.compose(kind, word, place, person, trades[int(rnd() * n_trade)],
                                              suffixes[int(rnd() * len(suffixes))])
        resident = kind == "resident"
        if resident:
            contact, legal, tax_id = short, "", ""
            email = f"{mnemonic}{i}@{hosts[i % len(hosts)]}"
            remark = person_remarks[i % len(person_remarks)]
        else:
            c_surname, c_given = surnames[int(rnd() * n_surname)], given[int(rnd() * n_given)]
            contact, legal = c_surname + c_given, person[0] + person[1]
            tax_id = parts.uscc(parts.USCC_HEAD_OF_KIND.get(kind) or parts.USCC_HEAD[ownership],
                                place.division, i * 48271 + 7654321)
            email = f"{spelled[c_given]}.{spelled[c_surname]}@{mnemonic}.{parts.MAIL_DOMAINS.get(kind, 'com.cn')}"
            remark = remarks[i % len(remarks)]
        phone = f"{place.area_code}-{20_000_000 + bits(26) % 70_000_000}"
        mgmt = type_pool[int(rnd() * n_type)]
        terms = CREDIT_TERMS[mgmt]
        grade, limit, credit_days, discount, payment = terms[int(rnd() * len(terms))]
        dev = int(rnd() * n_days)
        stop = days[dev + 1 + int(rnd() * (n_days - dev - 1))] if rnd() < STOPPED_SHARE and dev < n_days - 1 else None
        sales = parts.SALESPEOPLE[place.area]
        address = f"{place.address}{streets[i % len(streets)]}{bits(10) % 999 + 1}号"
        edited = rnd() < 0.3
        rows.append((
            i, code, name, short, mnemonic, leaf, place.province, industry, tax_id, "人民币", legal,
            f"{banks[i % len(banks)]}{place.city}支行", f"6{bits(60) % 10 ** 18:018d}", address,
            f"{place.post4}{bits(7) % 100:02d}", phone, "" if resident else phone[:-1] + "9",
            f"1{3_000_000_000 + bits(33) % 7_000_000_000}", email, contact, address,
            f"{place.area}销售部", sales[i % len(sales)], grade,
            0 if resident else limit, 0 if resident else credit_days, discount, payment,
            days[dev], stop, mgmt, int(rnd() < 0.01), remark, operators[i % len(operators)],
            days[dev] + times[i % len(times)], operators[(i + 1) % len(operators)] if edited else "",
            days[min(dev + 30, n_days - 1)] + times[(i + 3) % len(times)] if edited else None, 1,
            sort_key(name), sort_key(short), place_codes[place.province],
        ))
        members.append((i, region_dim, region_codes[place.province], code))
        members.append((i, ownership_dim, ownership, code))
        if mgmt != "潜在客户":  # a prospect has no main product line yet
            products = parts.PRODUCTS_BY_NATURE.get(leaf[:2]) or parts.PRODUCTS_BY_NATURE["02"]
            members.append((i, product_dim, products[i % len(products)], code))
        if len(rows) == BATCH or i == n:
            yield rows, members
            rows, members = [], []


def _in_background(items):
    """Run a generator in a thread, handing its items over through a short queue, so that
    composing the next batch in Python overlaps with SQLite writing this one (the sqlite3
    module lets go of the GIL while a statement runs)."""
    handed: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()
    done = object()

    def offer(item) -> None:
        while not stop.is_set():
            try:
                handed.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce():
        try:
            for item in items:
                offer(item)
            offer(done)
        except BaseException as exc:  # handed to the consumer, which raises it
            offer(exc)

    threading.Thread(target=produce, name="demo-rows", daemon=True).start()
    try:
        while (item := handed.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def _sales_sql(per_customer: int) -> str:
    """One INSERT ... SELECT making 1 to 2 * per_customer + 1 sales for each customer who is not
    a prospect (about `per_customer` a customer over the whole archive), dated between its development date (not before 2022) and its stop date or the
    demo's today. The figures come from a multiplicative hash of (id, n), so the same archive
    comes out every time, and the rows never pass through Python."""
    m = 2_147_483_647  # Park-Miller: products stay far inside 64-bit integers
    return f"""
        WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < {2 * per_customer + 1}),
        c AS MATERIALIZED (
            SELECT id,
                   max(CAST(strftime('%s', dev_date) AS INTEGER), CAST(strftime('%s', '{SALES_FROM}') AS INTEGER)) / 86400 AS s,
                   CAST(strftime('%s', coalesce(date(stop_date, '-1 day'), '{DEMO_TODAY}')) AS INTEGER) / 86400 AS e,
                   1 + (id * 2654435761) % 4294967291 % {2 * per_customer + 1} AS cnt
            FROM customer WHERE mgmt_type <> '潜在客户'),
        h AS (
            SELECT id, n, s, e, (id * 1000003 + n * 7919) % {m} AS h1 FROM c JOIN k ON k.n <= c.cnt WHERE e >= s),
        r AS (
            SELECT id, n, date((s + h1 % (e - s + 1)) * 86400, 'unixepoch') AS d,
                   (5000 + h1 * 48271 % {m} % 4995000) * (1 + h1 % 3) AS amount,
                   h1 * 16807 % {m} AS h2
            FROM h)
        INSERT INTO sale (customer_id, date, doc_no, amount, cost)
        SELECT id, d, 'XS' || replace(d, '-', '') || substr(100000000000 + id * 100 + n, 2), amount,
               CASE WHEN h2 % 40 = 0 THEN amount * (100 + h2 % 12) / 100
                    ELSE amount * (62 + h2 % 33) / 100 END
        FROM r"""


def generate(path, n: int, sales_per_customer: int = 5, seed: int = 20261123,
             folder: Path = FIXTURES) -> Store:
    """Create a large synthetic archive at `path` (SQLite): the demo's classification and
    n customers with about `sales_per_customer` sales each, all in one transaction; return
    the open store. Every customer sits in a leaf of the main classification and in one
    class of each typed dimension (but the product line of a prospect, who has none yet)."""
    store = _fresh(path)
    if store.dialect != "sqlite":
        store.close()
        raise RuleError("demo.sqlite_only")
    conn = store.database.connection()
    rng = random.Random(seed)
    tables = ("customer", "membership", "sale")
    try:
        # A fresh file: nothing to lose if the load fails half-way, so skip the write-ahead
        # log (which would write everything twice) and the syncs; restored below.
        conn.execute("PRAGMA journal_mode = MEMORY")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("PRAGMA temp_store = MEMORY")
        # Every row is consistent by construction; checking each sale's customer would cost
        # a look-up per row.
        conn.execute("PRAGMA foreign_keys = OFF")
        with store.writing():
            dims = load_classification(folder)
            leaves = sorted(_leaves(dims[MAIN_DIMENSION]))
            region_codes = {name: code for code, name in CustomerClass.select(
                CustomerClass.code, CustomerClass.name).where(
                CustomerClass.dimension == dims["region"].id).tuples()}
            indexes = dialect.sqlite_indexes(conn, tables)
            for sql in indexes:
                dialect.drop_sqlite_index(conn, sql)
            names = ", ".join(f'"{Customer._meta.fields[c].column_name}"' for c in GENERATED_COLUMNS)
            insert = f"INSERT INTO customer ({names}) VALUES ({', '.join('?' * len(GENERATED_COLUMNS))})"
            batches = _customer_batches(n, rng, leaves, dims, region_codes)
            for rows, members in _in_background(batches):
                conn.executemany(insert, rows)
                conn.executemany("INSERT INTO membership (customer_id, dimension_id, class_code, customer_code)"
                                 " VALUES (?, ?, ?, ?)", members)
            if sales_per_customer > 0:
                conn.execute(_sales_sql(sales_per_customer))
            completeness.refresh()  # before the indexes: the one on it is built once
            for sql in indexes:
                conn.execute(sql)
            subrecords.seed_from_card()
            search.rebuild()
    except BaseException:
        store.close()
        raise
    finally:
        if not store.database.is_closed():
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -2000")
            conn.execute("PRAGMA foreign_keys = ON")
    return store
