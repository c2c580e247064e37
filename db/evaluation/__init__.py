"""Evaluation: the rules that re-evaluate classes and types, statistics, the health check."""
