"""Shared vocabulary: request model, errors, lifecycle, clocks, hashes, audit, notices, data map, ports."""
