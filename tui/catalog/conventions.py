"""Words of the shell's shared conventions: dimensions named by key or name."""

MESSAGES = {
    "dimension.unknown_named": ("没有分类维度 {dimension}; 可用 (编码 中文名 英文名): {known}",
                                "No dimension {dimension}; the dimensions (key, Chinese, English name): {known}"),
}
