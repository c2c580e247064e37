"""Words of the batch-modify, merge and history screens."""

MESSAGES = {
    "batch_ui.keys": ("↑↓ 选择项目  Tab 填写新值  {pick} 参照  {apply} 批改  {cancel} 取消", "↑↓ field  Tab value  {pick} look up  {apply} apply  {cancel} cancel"),
    "batch_ui.marked": ("已标记 {count} 个客户", "{count} [customer|customers] marked"),
    "batch_ui.result_title": ("批改结果", "Batch result"),
    "batch_ui.result_keys": ("{more} 更多  {skipped} 只看跳过的  {close} 关闭", "{more} more  {skipped} skipped only  {close} close"),
    "batch_ui.more": ("更多", "More"),
    "batch_ui.only_skipped": ("只看跳过的", "Skipped only"),
    "archive.batch": ("批改", "Batch modify"),
    "archive.mark": ("标记/取消标记", "Mark/unmark"),
    "archive.mark_all": ("全部标记", "Mark all"),
    "archive.open": ("打开客户卡片", "Open the customer's card"),
    "archive.next_pane": ("切换到下一个窗格", "Next pane"),
    "archive.marks": ("已标记 {count}", "{count} marked"),
    "archive.merge": ("并户", "Merge"),
    "archive.merge_needs": ("请先用 {mark} 标记要并入的客户, 光标停在保留的客户上", "Mark the customers to merge in with {mark}, and put the cursor on the one to keep"),
    "archive.history": ("操作日志", "History"),
    "merge_ui.keys": ("{pick} 选择保留的值  {apply} 并户  {cancel} 取消", "{pick} pick the value to keep  {apply} merge  {cancel} cancel"),
    "history_ui.older": ("更早的记录", "Older entries"),
}
