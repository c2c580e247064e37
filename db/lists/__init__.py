"""Lists: keyset paging over a class and filter, selections, and batch modify of a selection."""
