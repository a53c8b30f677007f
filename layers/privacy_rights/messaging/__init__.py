"""The guard every SMS and call goes through (line types, countries, per-number caps, daily budget)."""
