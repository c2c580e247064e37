"""Words of the demo archive: `kehu demo` and the refusals of db.demo."""

MESSAGES = {
    "demo.help": ("写出演示档案 (或生成一个大档案), 不打开程序", "write the demo archive (or generate a large one) without opening the app"),
    "demo.help_db": ("写到哪个 SQLite 文件, 或哪个空的 postgresql:// 数据库", "the SQLite file to write, or an empty postgresql:// database"),
    "demo.help_customers": ("生成 N 个客户, 而不是载入 fixtures/ 中的演示数据", "generate N customers instead of loading the demo from fixtures/"),
    "demo.help_sales": ("生成时每个客户平均多少条销售记录 (默认 5)", "sales per customer when generating, on average (default 5)"),
    "demo.help_force": ("文件已存在时覆盖它", "overwrite the file when it exists"),
    "demo.need_db": ("请用 --db PATH 指定要写的文件 (或 --db postgresql://...)", "Name the file to write with --db PATH (or --db postgresql://...)"),
    "demo.sqlite_only": ("演示档案只能写到 SQLite 文件", "The demo archive can only be written to an SQLite file"),
    "demo.bad_count": ("客户数 {count} 不对: 应为 1 到 {max}", "{count} customers is not valid: 1 to {max}"),
    "demo.bad_sales": ("每个客户的销售记录数 {count} 不对: 应为 0 到 {max}", "{count} sales per customer is not valid: 0 to {max}"),
    "demo.exists": ("{path} 已存在, 未改动; 要覆盖请加 --force", "{path} already exists and was left alone; add --force to overwrite it"),
    "demo.not_empty": ("{path} 已有客户或分类, 演示数据只能写入新档案", "{path} already holds customers or classes; the demo goes into a new archive only"),
    "demo.not_leaf": ("演示数据中客户 {code} 的分类 {class_code} 不是末级分类", "In the demo data, customer {code} is in class {class_code}, which is not a leaf"),
    "demo.unknown_customer": ("演示数据中没有客户 {code}", "The demo data has no customer {code}"),
    "demo.bad_number": ("演示数据中的 {text} 不是数字", "In the demo data, {text} is not a number"),
    "demo.written": ("已写出 {path}: {customers} 个客户, {sales} 条销售记录, 用时 {seconds} 秒", "Wrote {path}: {customers} customers, {sales} sales in {seconds} s"),
}
