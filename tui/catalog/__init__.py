"""Catalog modules: each defines MESSAGES = {key: (zh, en)} for one area of the app."""
