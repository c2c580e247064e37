"""Words of `kehu copy` (the whole archive from one database to another) and its refusals."""

MESSAGES = {
    "copy.help": ("把整个档案复制到另一个数据库 (SQLite 与 PostgreSQL 之间均可), 目标须为空", "copy the whole archive to another database (SQLite or PostgreSQL, either way); the target must be empty"),
    "copy.help_source": ("从哪个档案复制: SQLite 文件或 postgresql:// 地址", "the archive to copy: an SQLite file or a postgresql:// URL"),
    "copy.help_target": ("复制到哪里: 新的 SQLite 文件或空的 postgresql:// 数据库", "where to copy it: a new SQLite file or an empty postgresql:// database"),
    "copy.same": ("源和目标是同一个数据库 ({path}), 未作任何修改", "The source and the target are the same database ({path}); nothing was written"),
    "copy.not_empty": ("{path} 已有数据, 未作任何修改: 只能复制到空的目标", "{path} already holds data and was left alone: the copy goes into an empty target only"),
    "copy.done": ("已复制 {tables} 个表, {rows} 行, 用时 {seconds} 秒", "Copied {tables} tables, {rows} rows in {seconds} s"),
}
