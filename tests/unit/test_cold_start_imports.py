"""What a handler's cold start imports (issue 15): phonenumbers and email-validator only where a
value is parsed, and the settings' phone regions checked where a function messages a phone."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from pydantic import ValidationError

from privacy_rights.runtime.settings import DEFAULT_PHONE_COUNTRIES, Settings

ENVIRONMENT = {
    **{
        name.upper(): f"bench-{name}"
        for name, field in Settings.model_fields.items()
        if field.is_required() and name not in ("sender_email", "privacy_address", "public_base_url")
    },
    "SENDER_EMAIL": "x@example.com",
    "PRIVACY_ADDRESS": "y@example.com",
    "PUBLIC_BASE_URL": "https://example.com",
}


def test_the_settings_load_without_phonenumbers() -> None:
    source = f"""
        import sys
        from privacy_rights.runtime.settings import Settings
        Settings.from_environment({ENVIRONMENT!r})
        print(sorted({{"phonenumbers", "email_validator"}} & set(sys.modules)))
    """
    completed = subprocess.run(  # noqa: S603 - this interpreter on our own source
        [sys.executable, "-c", textwrap.dedent(source)], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


def test_the_default_phone_regions_are_all_known_to_phonenumbers() -> None:
    regions = set(DEFAULT_PHONE_COUNTRIES.split(","))
    assert regions <= phonenumbers.SUPPORTED_REGIONS
    assert Settings.from_environment(ENVIRONMENT).phone_countries == regions


def test_a_malformed_region_code_fails_at_cold_start() -> None:
    with pytest.raises(ValidationError, match="not phone regions"):
        Settings.from_environment(ENVIRONMENT | {"PHONE_ALLOWED_COUNTRIES": "US,uk"})


def test_a_region_phonenumbers_does_not_know_fails_before_any_phone_is_messaged() -> None:
    settings = Settings.from_environment(ENVIRONMENT | {"PHONE_ALLOWED_COUNTRIES": "US,UK"})
    with pytest.raises(ValueError, match="not phone regions: UK"):
        _ = settings.phone_countries


def _cold_import_bench() -> Any:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "cold_import.py"
    spec = importlib.util.spec_from_file_location("cold_import_bench", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


#: What no handler pays for at import: the identifier libraries, imported where a value is parsed.
NOT_AT_IMPORT = ("phonenumbers", "email_validator")
#: pydantic's search of every installed package's entry points for plugins (none ship in the
#: layer; the template turns it off): None while it has not run.
PLUGIN_SEARCH = "sys.modules['pydantic.plugin._loader']._plugins is None"


@pytest.mark.parametrize("function", ["FinalizeFunction", "RequestStatusFunction", "IntakeFunction"])
def test_a_handler_imported_as_deployed_loads_none_of_them(function: str) -> None:
    bench = _cold_import_bench()
    (target,) = [t for t in bench.discover_targets(bench.DEFAULT_TEMPLATE) if t.logical_id == function]
    source = bench.CHILD_SOURCE + (
        f"\nprint(sorted(set({NOT_AT_IMPORT!r}) & set(sys.modules)))\nprint({PLUGIN_SEARCH})\n"
    )
    completed = subprocess.run(  # noqa: S603 - this interpreter on our own source
        [
            sys.executable,
            "-I",
            "-c",
            source,
            target.module_name,
            str(target.module_file),
            target.attribute,
            str(target.code_dir),
        ],
        cwd=target.code_dir,
        env=bench.child_environment(target),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    loaded, no_plugin_search = completed.stdout.splitlines()[-2:]
    assert loaded == "[]"
    assert no_plugin_search == "True"


def test_the_mail_classifier_compiles_its_rules_when_it_first_classifies() -> None:
    """The ops mail API imports intake but never classifies: it must not compile ~170 expressions."""
    source = """
        import re
        import privacy_rights.core.models

        compiled = []
        original = re.compile
        re.compile = lambda *args, **kwargs: compiled.append(args[0]) or original(*args, **kwargs)
        import privacy_rights.mail.mail_classifier as classifier
        at_import = len(compiled)
        classifier.classify("Delete my data", "Please delete all my personal data.")
        print(at_import, len(compiled))
    """
    completed = subprocess.run(  # noqa: S603 - this interpreter on our own source
        [sys.executable, "-c", textwrap.dedent(source)], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    at_import, after_classifying = map(int, completed.stdout.split())
    assert at_import < 20
    assert after_classifying > 100


def test_every_rule_of_the_mail_classifier_compiles() -> None:
    from privacy_rights.mail import mail_classifier

    for rule in mail_classifier._RULES:
        for pattern in (rule.pattern, rule.veto, rule.needs_before):
            assert pattern is None or isinstance(pattern.compiled, re.Pattern), rule.cue


def test_the_bench_imports_its_baseline_throughout_each_round() -> None:
    """Each round imports every handler once, the baseline before every fifth, and starts with
    another handler each time: the baseline's median spans the moments the handlers' do."""
    bench = _cold_import_bench()
    outcomes = [bench.Outcome(target=name) for name in ["baseline", *(f"h{i}" for i in range(12))]]
    firsts = set()
    for round_number in range(3):
        order = [o.target for o in bench._round_order(outcomes, round_number)]
        assert sorted(t for t in order if t != "baseline") == sorted(f"h{i}" for i in range(12))
        assert [i for i, t in enumerate(order) if t == "baseline"] == [0, 6, 12]
        firsts.add(order[1])
    assert len(firsts) == 3
