"""The archive's rules: classes, dimensions, customers, sales, history, locate, merge."""
