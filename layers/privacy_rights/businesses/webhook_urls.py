"""The rule for a tenant's webhook URL, apart from the delivery code so that the ops API can
check an address without importing the HTTP client at cold start."""

from __future__ import annotations

import urllib.parse


def require_https_url(url: str) -> None:
    """Webhook URLs come from tenants: https to a named or numbered host, nothing else (no
    http, no file:, ftp: or the like). Where the host points is checked when connecting."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise ValueError("webhook URLs must be https URLs with a host")
