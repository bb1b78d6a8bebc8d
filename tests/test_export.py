"""adtrans.export and ``python -m adtrans export``: a gradient's generated code as a module.

The exported module must give the very numbers the gradient function gives, for the
kinds of arguments it was exported for, refuse other kinds, and refuse to export what
it cannot write out rather than write a module that reads something else.
"""

import importlib.util
import sys
import types
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import adtrans
from adtrans.cli import main as cli_main
from benchmarks.cases import WORKLOADS

RATE = 0.25
OFFSETS = np.array([0.5, -1.5, np.nan])
SHAPE = (2, 3)
HALF = np.float32(0.5)
BIG = np.ones(20_000)


class Settings:
    scale = 2.0


SETTINGS = Settings()


def load(text: str, directory: Path, name: str) -> types.ModuleType:
    path = directory / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def leaves(value):
    if isinstance(value, dict):
        return [leaf for key in value for leaf in leaves(value[key])]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def assert_same(got, expected):
    assert type(got) is type(expected)
    got, expected = leaves(got), leaves(expected)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert type(g) is type(e)
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_exported_workloads_give_the_same_gradients(name, tmp_path):
    workload = WORKLOADS[name]
    args = workload.args("small")
    df = adtrans.grad(workload.function, wrt=workload.wrt_positions())
    text = adtrans.export(df, *args)
    module = load(text, tmp_path, f"d_{name}")
    assert_same(module.gradient(*args), df(*args))
    # It needs NumPy, not adtrans: the helpers are copied in.
    imported = {line.split()[1] for line in text.splitlines()
                if line.startswith(("import ", "from "))}
    assert imported <= {"__future__", "numpy", "math", "builtins", "string"}, imported


def test_value_and_grad_exports_value_and_gradient(tmp_path):
    workload = WORKLOADS["rnn"]
    args = workload.args("small")
    df = adtrans.value_and_grad(workload.function, wrt=(0, 1, 2))
    module = load(adtrans.export(df, *args), tmp_path, "vg_rnn")
    value, gradients = module.value_and_gradient(*args)
    expected_value, expected = df(*args)
    assert value == expected_value
    assert_same(gradients, expected)


def reads_constants(x):
    y = x * RATE + OFFSETS[:2].sum() * HALF
    return np.sum(np.reshape(np.tile(y, 3), SHAPE) ** 2)


def test_constants_are_written_with_their_values(tmp_path, monkeypatch):
    x = np.array([1.0, -2.0])
    df = adtrans.grad(reads_constants)
    text = adtrans.export(df, x)
    assert "RATE = 0.25" in text and "SHAPE = (2, 3)" in text
    assert "float('nan')" in text and "np.float32(0.5)" in text
    module = load(text, tmp_path, "d_constants")
    assert_same(module.gradient(x), df(x))
    # The module keeps the values of export time; the gradient function reads the globals.
    monkeypatch.setattr(sys.modules[__name__], "RATE", 1.0)
    assert not np.array_equal(module.gradient(x), df(x))


def make_closure(k):
    def scaled(x):
        return np.sum(np.sin(k * x))
    return scaled


def test_closure_variables_are_written_out(tmp_path):
    f = make_closure(1.5)
    x = np.linspace(0.0, 1.0, 4)
    df = adtrans.grad(f)
    module = load(adtrans.export(df, x), tmp_path, "d_closure")
    assert_same(module.gradient(x), df(x))
    np.testing.assert_allclose(module.gradient(x), 1.5 * np.cos(1.5 * x))


def reads_an_object(x):
    return SETTINGS.scale * np.sum(x * x)


def reads_a_big_array(x):
    return np.sum(x * BIG[: x.size])


@pytest.mark.parametrize("f, message", [(reads_an_object, "'SETTINGS', which holds a Settings"),
                                        (reads_a_big_array, "'BIG', which holds a ndarray")])
def test_what_cannot_be_written_out_is_refused(f, message):
    with pytest.raises(adtrans.AdtransError, match=message):
        adtrans.export(adtrans.grad(f), np.ones(3))


def test_export_needs_example_arguments():
    with pytest.raises(adtrans.AdtransError, match="give arguments like"):
        adtrans.export(adtrans.grad(reads_constants))
    with pytest.raises(adtrans.AdtransError, match="not a function made by adtrans"):
        adtrans.export(reads_constants, np.ones(2))


def sum_of_two(x, y):
    return np.sum(x + y)


def test_exported_gradient_checks_kinds_and_owns_its_arrays(tmp_path):
    x, y = np.ones(3), np.arange(3.0)
    module = load(adtrans.export(adtrans.grad(sum_of_two, wrt=(0, 1)), x, y), tmp_path,
                  "d_sum")
    gx, gy = module.gradient(x, y)
    np.testing.assert_array_equal(gx, np.ones(3))
    assert not np.shares_memory(gx, gy)
    gx += 1.0                            # the caller may update a gradient in place
    np.testing.assert_array_equal(gy, np.ones(3))
    with pytest.raises(TypeError, match=r"generated for arguments of the forms \(\('ndarray'"):
        module.gradient(2.0, y)


def test_a_rule_without_an_importable_home_is_refused():
    namespace = types.ModuleType("made_in_memory")
    source = "def cube(x):\n    return x ** 3\n"
    exec(compile(source, "<memory>", "exec"), namespace.__dict__)
    cube = namespace.cube
    adtrans.register_vjp(cube)(lambda g, ans, x: (3 * g * x ** 2,))

    def uses_cube(x):
        return np.sum(cube(x))

    with pytest.raises(adtrans.AdtransError, match="cannot export"):
        adtrans.export(adtrans.grad(uses_cube), np.ones(2))


def test_command_line_export_writes_an_importable_module(tmp_path, capsys):
    source = tmp_path / "model.py"
    source.write_text("import numpy as np\n\n\ndef loss(w, x):\n"
                      "    return np.sum(np.tanh(x @ w) ** 2)\n")
    output = tmp_path / "d_model.py"
    assert cli_main(["export", f"{source}:loss", "--args", "np.ones(3), np.ones((4, 3))",
                     "-o", str(output)]) == 0
    module = load(output.read_text(), tmp_path, "d_model_loaded")
    w, x = np.array([0.1, -0.2, 0.3]), np.arange(12.0).reshape(4, 3) / 10
    t = np.tanh(x @ w)
    np.testing.assert_allclose(module.gradient(w, x), x.T @ (2 * t * (1 - t * t)))
    assert cli_main(["export", f"{source}:loss", "--args", "np.ones(3) +"]) == 1
    assert "--args" in capsys.readouterr().err


def reversed(values):                    # noqa: A001  (shadows the builtin on purpose)
    return values


def loops_where_reversed_is_shadowed(x):
    reversed = 2.0                       # noqa: A001  (and here a local of that name)
    total = 0.0
    for i in range(x.size):
        total = total + x[i] * x[i] * (i + reversed)
    return total


def test_a_shadowed_builtin_keeps_both_meanings(tmp_path):
    """The backward loop needs the builtin reversed, the user's function has a variable of
    that name: the generated code calls the builtin under another name, and the exported
    module binds that name to the builtin, not to the module's own reversed."""
    x = np.array([1.0, 2.0, 3.0])
    df = adtrans.grad(loops_where_reversed_is_shadowed)
    text = adtrans.export(df, x)
    assert "= builtins.reversed" in text
    module = load(text, tmp_path, "d_shadow")
    assert_same(module.gradient(x), df(x))
    np.testing.assert_array_equal(module.gradient(x), 2 * x * np.arange(2.0, 5.0))


def test_exported_modules_run_without_adtrans(tmp_path):
    """In a process where `import adtrans` fails, every workload's module still runs and
    gives the gradients adtrans gave here."""
    expected = {}
    for name in WORKLOADS:
        workload = WORKLOADS[name]
        args = workload.args("small")
        df = adtrans.grad(workload.function, wrt=workload.wrt_positions())
        (tmp_path / f"exported_{name}.py").write_text(adtrans.export(df, *args))
        expected[name] = [np.asarray(g).tolist() for g in leaves(df(*args))]
    script = tmp_path / "run_exported.py"
    script.write_text(
        "import json, sys\n"
        "sys.modules['adtrans'] = None          # any import of adtrans fails\n"
        f"sys.path[:0] = [{str(tmp_path)!r}, {str(Path(__file__).parent.parent)!r}]\n"
        "import importlib, numpy as np\n"
        "from benchmarks.cases import WORKLOADS\n"
        "def leaves(v):\n"
        "    if isinstance(v, dict):\n"
        "        return [x for k in v for x in leaves(v[k])]\n"
        "    if isinstance(v, (list, tuple)):\n"
        "        return [x for i in v for x in leaves(i)]\n"
        "    return [v]\n"
        "out = {}\n"
        "for name in WORKLOADS:\n"
        "    module = importlib.import_module('exported_' + name)\n"
        "    grads = module.gradient(*WORKLOADS[name].args('small'))\n"
        "    out[name] = [np.asarray(g).tolist() for g in leaves(grads)]\n"
        "print(json.dumps(out))\n")
    import json
    import subprocess
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == expected


def idiom_cases():
    sys.path.insert(0, str(Path(__file__).parent))
    import test_idioms
    return [case for case in test_idioms.CASES if case.expect == "works"]


def test_every_idiom_adtrans_differentiates_exports(tmp_path):
    """The idioms of test_idioms.py that adtrans gets right, exported: the module gives the
    same gradient, or export refuses with a reason (never a module that is wrong)."""
    exported, refused = 0, []
    for number, case in enumerate(idiom_cases()):
        args = tuple(case.args)
        try:
            df = adtrans.grad(case.f, wrt=case.wrt)
            expected = df(*args)
        except (adtrans.AdtransError, ValueError, TypeError):
            continue                     # not a scalar function: a vjp case
        try:
            text = adtrans.export(df, *args)
        except adtrans.AdtransError as exc:
            assert "cannot export" in str(exc), str(exc)
            refused.append(case.f.__name__)
            continue
        module = load(text, tmp_path, f"idiom_{number}")
        assert_same(module.gradient(*args), expected)
        exported += 1
    assert exported >= 120, (exported, refused)
    assert len(refused) <= 10, refused


SETTINGS_DICT = {"rate": 0.5, "powers": [1, 2]}
HISTORY = []


def reads_a_dict(x):
    return np.sum(x ** SETTINGS_DICT["powers"][1]) * SETTINGS_DICT["rate"]


def appends_to_a_global(x):
    HISTORY.append(1.0)
    return np.sum(x * x)


def detaches(x):
    return np.sum(adtrans.stop_gradient(x) * x)


def test_read_only_containers_and_stop_gradient_export(tmp_path):
    x = np.array([0.5, -1.0])
    for f in (reads_a_dict, detaches):
        df = adtrans.grad(f)
        text = adtrans.export(df, x)
        assert "import adtrans" not in text
        assert_same(load(text, tmp_path, f"d_{f.__name__}").gradient(x), df(x))
    with pytest.raises(adtrans.AdtransError, match="changes the list 'HISTORY'"):
        adtrans.export(adtrans.grad(appends_to_a_global), x)


class Point:
    def __init__(self, x):
        self.x = x


def uses_a_point(p, w):
    return np.sum(p.x * w)


def test_arguments_that_are_objects_are_refused():
    df = adtrans.grad(uses_a_point, wrt=1)
    with pytest.raises(adtrans.AdtransError, match="argument of type Point"):
        adtrans.export(df, Point(np.ones(2)), np.ones(2))
