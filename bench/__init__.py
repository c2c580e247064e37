"""`make bench`: measurements at 1,000,000 customers. See bench/__main__.py."""
