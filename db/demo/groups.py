"""The demo's head offices and branches (总公司): a 华联 supermarket group, two levels deep,
and a 联华 electrical wholesaler with its branches in other provinces."""
from __future__ import annotations

from db.core.models import Customer

# head office -> its branches (fixtures/customers.csv codes)
GROUPS = {
    "C000355": ("C000483", "C001279", "C000572"),  # 北京华联综合超市: 绵阳, 上海, 哈尔滨
    "C001279": ("C001045",),  # 上海华联连锁超市: 宁波华联经贸
    "C000020": ("C000027", "C000255", "C001025"),  # 上海联华电器销售: 昆明, 泉州, 烟台
}


def link() -> None:
    """Name each branch's head office (before any history: the demo starts this way)."""
    for head, branches in GROUPS.items():
        Customer.update(head_office=head).where(Customer.code.in_(branches)).execute()
