"""Run every ``examples/*.py`` script's ``main()``; each asserts its own published values.

The list is globbed, so a new example is picked up without touching this file.
"""

import importlib.util
import pathlib

import pytest

EXAMPLES_DIR = pathlib.Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*.py") if not p.name.startswith("_"))


def load(path):
    spec = importlib.util.spec_from_file_location(f"adtrans_example_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_examples_were_found():
    assert EXAMPLES, f"no example scripts in {EXAMPLES_DIR}"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_main(path, capsys):
    module = load(path)
    assert callable(getattr(module, "main", None)), f"{path.name} has no main()"
    module.main()
    out = capsys.readouterr().out
    assert out.strip(), f"{path.name} printed nothing"
