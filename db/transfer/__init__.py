"""Data in and out: tabular files (CSV, .xlsx), export and import."""
