"""Deletion: the erasure service and the legal holds that keep data back from it."""
