"""Words of the card's sub-records in an import: the parts of a restore, the default column."""

MESSAGES = {
    "transfer_ui.kind.contacts": ("联系人", "Contacts"),
    "transfer_ui.kind.addresses": ("地址", "Addresses"),
    "transfer_ui.kind.banks": ("银行", "Banks"),
    "transfer_ui.kind.invoices": ("开票信息", "Invoice details"),
    "sub.contacts.is_default": ("默认", "Default"),
    "sub.addresses.is_default": ("默认", "Default"),
    "sub.banks.is_default": ("默认", "Default"),
    "sub.invoices.is_default": ("默认", "Default"),
    "import.sub_two_defaults": ("客户 {code} 的同类记录有两个默认 (第 {first_line} 行已是默认)",
                                "Customer {code} has two defaults of one kind (line {first_line} is one)"),
}
