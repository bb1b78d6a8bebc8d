"""The rule table as a whole: every entry tested, docs/rules.md up to date."""

import importlib
import pathlib

from helpers.rule_testing import TESTED

import adtrans
from adtrans.rules import catalog

TESTS = pathlib.Path(__file__).resolve().parent
ROOT = TESTS.parent


def test_every_supported_rule_is_tested():
    # Importing the rule test files runs their tables and decorators, which fill TESTED.
    for path in sorted(TESTS.glob("test_rules*.py")):
        importlib.import_module(path.stem)
    supported = set(adtrans.supported())
    untested = sorted(supported - TESTED)
    assert not untested, f"rules without a test: {untested}"
    unknown = sorted(TESTED - supported)
    assert not unknown, f"tests name rules adtrans does not list: {unknown}"


def test_docs_rules_md_is_generated_from_the_table():
    written = (ROOT / "docs" / "rules.md").read_text()
    assert written == catalog.render(), (
        "docs/rules.md is out of date: run `python -m adtrans.rules.catalog > docs/rules.md`")
