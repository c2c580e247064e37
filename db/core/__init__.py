"""The bottom layer: models, errors, the clock, drivers, the dialect differences (dialect:
locate; bulk: rows in bulk), and the session."""
