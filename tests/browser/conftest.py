"""The browser tier needs Playwright for Python (pip) and Debian's Chromium: `make test-browser`
installs the first and checks for the second. Without Playwright (a bare `make test`, which
deselects this tier anyway) the module is not collected, so its imports cannot break other tiers;
`pytest -m browser tests/browser` then runs no test and pytest exits 5, which fails CI."""

from __future__ import annotations

import importlib.util

collect_ignore = (
    []
    if importlib.util.find_spec("playwright")
    else ["test_web_form.py", "test_status_appeal.py", "test_ops_console.py"]
)
