"""The bottom layer: models, errors, the clock, drivers, dialect differences, and the session."""
