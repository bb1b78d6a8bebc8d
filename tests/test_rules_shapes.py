"""Rules for shapes, selection and statistics against central finite differences.

Every case runs through ``check_rule`` (float64 central differences, then float32), and
``check_int`` checks that an integer input gets the float64 gradient of its float copy.
"""

import warnings

import numpy as np
import pytest
from helpers.rule_testing import (
    assert_gradient_type,
    check_rule,
    exercises,
    sample,
    table,
    vjp_ones,
)

import adtrans
from adtrans import AdtransError


def check_int(f, x, wrt=0, *rest):
    """An integer array input gets float64 gradients equal to those of its float copy."""
    xi = np.round(np.asarray(x) * 3).astype(np.int64)
    args = (xi, *rest) if wrt == 0 else (*rest[:wrt], xi, *rest[wrt:])
    fargs = tuple(np.asarray(a, dtype=float) if a is xi else a for a in args)
    got = vjp_ones(f, *args, wrt=wrt)
    assert_gradient_type(got, xi)
    np.testing.assert_allclose(got, vjp_ones(f, *fargs, wrt=wrt), rtol=1e-12, atol=1e-12)


def positional(fn, *extra):
    """``fn(x, *extra)`` spelled out (adtrans does not take calls with ``*args``)."""
    if len(extra) == 0:
        def f(x):
            return fn(x)
    elif len(extra) == 1:
        a, = extra

        def f(x):
            return fn(x, a)
    elif len(extra) == 2:
        a, b = extra

        def f(x):
            return fn(x, a, b)
    else:
        a, b, c = extra

        def f(x):
            return fn(x, a, b, c)
    f.__name__ = f"{fn.__name__}_{'_'.join(map(str, extra))}"
    return f


def run_cases(name, f, shape, seed=0):
    x = sample(shape, (-1, 1), seed=seed)
    g = check_rule(f, x)
    assert np.shape(g) == np.shape(x)
    if np.ndim(x):
        check_int(f, x)


def lambda_first(fn, first, *extra):
    """``fn(first, x, *extra)``: the array is the second argument."""
    if extra:
        a, = extra

        def f(x):
            return fn(first, x, a)
    else:
        def f(x):
            return fn(first, x)
    f.__name__ = f"{fn.__name__}_{len(np.shape(first))}_{'_'.join(map(str, extra))}"
    return f


# ============================================================ tiling, repeating, padding
S3 = (2, 3, 4)
TILE_REPEAT = table([
    ("np.tile", positional(np.tile, 2), ()),
    ("np.tile", positional(np.tile, 3), (4,)),
    ("np.tile", positional(np.tile, (2, 1)), (4,)),
    ("np.tile", positional(np.tile, (2, 1, 3)), (2, 3)),
    ("np.tile", positional(np.tile, (1, 2)), S3),
    ("np.repeat", positional(np.repeat, 2), ()),
    ("np.repeat", positional(np.repeat, 3), (4,)),
    ("np.repeat", positional(np.repeat, 2), (2, 3)),
    ("np.repeat", positional(np.repeat, 2, 1), S3),
    ("np.repeat", positional(np.repeat, [0, 2, 1], -2), S3),
    ("np.repeat", positional(np.repeat, [1, 3], 0), S3),
    ("np.repeat", positional(np.repeat, np.array([2, 0, 1, 1]), -1), S3),
    ("np.repeat", positional(np.repeat, 2, 0), ()),
])


@pytest.mark.parametrize("name, f, shape", TILE_REPEAT, ids=[c[1].__name__ for c in TILE_REPEAT])
def test_tile_and_repeat(name, f, shape):
    run_cases(name, f, shape)


def method_repeat(x):
    return x.repeat(2, axis=1)


def method_repeat_flat(x):
    return x.repeat([1, 2, 0, 1, 1, 3])


@exercises("ndarray.repeat()")
def test_method_repeat():
    run_cases("", method_repeat, (2, 3))
    run_cases("", method_repeat_flat, (2, 3))


def pad_constant(pad_width, value):
    def f(x):
        return np.pad(x, pad_width, constant_values=value)
    return f


def pad_keywords(x):
    return np.pad(x, pad_width=((1, 2), (0, 1), (1, 0)), mode="edge")


def repeat_keywords(x):
    return np.repeat(x, repeats=[1, 2], axis=-1)


def tile_keywords(x):
    return np.tile(x, reps=(2, 1))


def rot90_keywords(x):
    return np.rot90(x, k=-1, axes=(2, 0))


def rollaxis_keywords(x):
    return np.rollaxis(x, axis=-1, start=-2)


KEYWORDS = table([("np.pad", pad_keywords), ("np.repeat", repeat_keywords),
                  ("np.tile", tile_keywords), ("np.rot90", rot90_keywords),
                  ("np.rollaxis", rollaxis_keywords)])


@pytest.mark.parametrize("name, f", KEYWORDS, ids=[c[1].__name__ for c in KEYWORDS])
def test_keywords(name, f):
    run_cases(name, f, (2, 3, 2))


PADS = table([
    ("np.pad", positional(np.pad, 2), (3,)),
    ("np.pad", positional(np.pad, (1, 2)), (3, 4)),
    ("np.pad", positional(np.pad, ((0, 1), (2, 0), (1, 1))), S3),
    ("np.pad", pad_constant(1, 2.5), (3, 4)),
    ("np.pad", positional(np.pad, 1, "edge"), (3, 4)),
    ("np.pad", positional(np.pad, ((2, 3), (1, 2)), "edge"), (3, 2)),
    ("np.pad", positional(np.pad, ((2, 3), (1, 2)), "reflect"), (3, 4)),
    ("np.pad", positional(np.pad, 5, "reflect"), (3,)),
    ("np.pad", positional(np.pad, ((2, 3), (1, 2)), "symmetric"), (3, 4)),
    ("np.pad", positional(np.pad, 4, "symmetric"), (3,)),
    ("np.pad", positional(np.pad, ((2, 3), (1, 5)), "wrap"), (3, 4)),
    ("np.pad", positional(np.pad, 1, "wrap"), S3),
    ("np.pad", positional(np.pad, 0), ()),
])


@pytest.mark.parametrize("name, f, shape", PADS, ids=[c[1].__name__ for c in PADS])
def test_pad(name, f, shape):
    run_cases(name, f, shape)


def pad_fill(x, c):
    return np.pad(x, ((1, 0), (2, 1)), constant_values=c)


def pad_linear_ramp(x):
    return np.pad(x, 2, mode="linear_ramp")


def pad_mean(x):
    return np.pad(x, 2, mode="mean")


def pad_odd(x):
    return np.pad(x, 2, mode="reflect", reflect_type="odd")


def pad_fill_pairs(x, c):
    return np.pad(x, 1, constant_values=c * 2.0)


@exercises("np.pad")
def test_pad_constant_value_gets_the_sum_over_the_fill():
    x = sample((3, 4), (-1, 1))
    gx, gc = check_rule(pad_fill, x, 0.7, wrt=(0, 1))
    assert isinstance(gc, float)
    gc = check_rule(pad_fill, x, np.float64(0.7), wrt=1)
    with pytest.raises(AdtransError, match="single number"):
        adtrans.vjp(pad_fill_pairs, x, np.array([0.5, 1.0]), wrt=1)[1](np.ones((5, 6)))


@exercises("np.pad")
@pytest.mark.parametrize("f, what", [(pad_linear_ramp, "linear_ramp"), (pad_mean, "'mean'"),
                                     (pad_odd, "reflect_type")])
def test_pad_modes_that_copy_no_element_are_refused(f, what):
    with pytest.raises(AdtransError, match=what):
        adtrans.grad(lambda_sum(f))(sample((4,), (-1, 1)))


def lambda_sum(f):
    def total(x):
        return np.sum(f(x))
    return total


# ============================================================ rotating, moving axes
AXES = table([
    ("np.rot90", positional(np.rot90), (3, 4)),
    ("np.rot90", positional(np.rot90, 2), (3, 4)),
    ("np.rot90", positional(np.rot90, -1, (1, 2)), S3),
    ("np.rot90", positional(np.rot90, 3, (2, 0)), S3),
    ("np.rot90", positional(np.rot90, 1, (-1, -2)), S3),
    ("np.rollaxis", positional(np.rollaxis, 2), S3),
    ("np.rollaxis", positional(np.rollaxis, 0, 3), S3),
    ("np.rollaxis", positional(np.rollaxis, -1, 1), S3),
    ("np.rollaxis", positional(np.rollaxis, 1, -1), S3),
    ("np.rollaxis", positional(np.rollaxis, 1, 1), S3),
    ("np.rollaxis", positional(np.rollaxis, 0, 2), (3, 4)),
    ("np.diagflat", positional(np.diagflat), (3,)),
    ("np.diagflat", positional(np.diagflat, 1), (2, 2)),
    ("np.diagflat", positional(np.diagflat, -2), (3,)),
    ("np.diagflat", positional(np.diagflat), ()),
])


@pytest.mark.parametrize("name, f, shape", AXES, ids=[c[1].__name__ for c in AXES])
def test_axes(name, f, shape):
    run_cases(name, f, shape)


# ============================================================ several results
def broadcast_pair(x, y):
    a, b = np.broadcast_arrays(x, y)
    return a * 2.0 + np.sin(b)


def broadcast_one_used(x, y):
    a, b = np.broadcast_arrays(x, y)
    return b * 3.0


def broadcast_three(x, y, z):
    parts = np.broadcast_arrays(x, y, z)
    return parts[0] * parts[1] + parts[2]


@exercises("np.broadcast_arrays")
@pytest.mark.parametrize("xs, ys", [((3, 1), (4,)), ((), (2, 3)), ((2, 1, 4), (3, 1)),
                                    ((3,), (3,))])
def test_broadcast_arrays(xs, ys):
    x, y = sample(xs, (-1, 1), seed=1), sample(ys, (-1, 1), seed=2)
    check_rule(broadcast_pair, x, y, wrt=(0, 1))
    check_rule(broadcast_one_used, x, y, wrt=(0, 1))
    check_rule(broadcast_three, x, y, 0.5, wrt=(0, 1, 2))


def mesh_xy(x, y):
    a, b = np.meshgrid(x, y)
    return a * np.cos(b)


def mesh_ij(x, y):
    a, b = np.meshgrid(x, y, indexing="ij")
    return a * np.cos(b)


def mesh_three(x, y, z):
    a, b, c = np.meshgrid(x, y, z)
    return a * b + c ** 2


def mesh_three_ij_sparse(x, y, z):
    a, b, c = np.meshgrid(x, y, z, indexing="ij", sparse=True)
    return a * b + c ** 2


def mesh_one(x):
    (a,) = np.meshgrid(x)
    return a * a


def mesh_only_second(x, y):
    grid = np.meshgrid(x, y)
    return grid[1] * 2.0


@exercises("np.meshgrid")
def test_meshgrid():
    x, y, z = sample((3,), (-1, 1), 1), sample((4,), (-1, 1), 2), sample((2,), (-1, 1), 3)
    for f in (mesh_xy, mesh_ij, mesh_only_second):
        check_rule(f, x, y, wrt=(0, 1))
    check_rule(mesh_xy, sample((2, 2), (-1, 1)), y, wrt=(0, 1))
    check_rule(mesh_xy, 0.5, y, wrt=(0, 1))
    for f in (mesh_three, mesh_three_ij_sparse):
        check_rule(f, x, y, z, wrt=(0, 1, 2))
    check_rule(mesh_one, x)
    check_int(mesh_xy, x, 0, y)


def resize(x):
    return np.resize(x, (3, 4))


def test_resize_is_refused_with_a_hint():
    with pytest.raises(AdtransError, match="np.tile"):
        adtrans.grad(lambda_sum(resize))(sample((5,), (-1, 1)))


# ============================================================ the older shape rules, all axes
OLDER = table([
    ("np.roll", positional(np.roll, 2), ()),
    ("np.roll", positional(np.roll, -3), (2, 3)),
    ("np.roll", positional(np.roll, 1, -1), S3),
    ("np.roll", positional(np.roll, (1, -2), (0, -1)), S3),
    ("np.roll", positional(np.roll, 2, (0, 2)), S3),
    ("np.flip", positional(np.flip), ()),
    ("np.flip", positional(np.flip, -1), S3),
    ("np.flip", positional(np.flip, (0, -1)), S3),
    ("np.fliplr", positional(np.fliplr), (3, 4)),
    ("np.flipud", positional(np.flipud), (4,)),
    ("np.swapaxes", positional(np.swapaxes, 0, -1), S3),
    ("np.swapaxes", positional(np.swapaxes, 1, 1), (3, 4)),
    ("np.moveaxis", positional(np.moveaxis, -1, 0), S3),
    ("np.moveaxis", positional(np.moveaxis, (0, 1), (-1, 0)), S3),
    ("np.transpose", positional(np.transpose), ()),
    ("np.transpose", positional(np.transpose), (4,)),
    ("np.transpose", positional(np.transpose, (2, 0, 1)), S3),
    ("np.transpose", positional(np.transpose, (-1, 0, -2)), S3),
    ("np.squeeze", positional(np.squeeze), (1, 3, 1)),
    ("np.squeeze", positional(np.squeeze, -1), (1, 3, 1)),
    ("np.squeeze", positional(np.squeeze, (0, 2)), (1, 3, 1)),
    ("np.squeeze", positional(np.squeeze), ()),
    ("np.expand_dims", positional(np.expand_dims, 0), ()),
    ("np.expand_dims", positional(np.expand_dims, -1), (3,)),
    ("np.expand_dims", positional(np.expand_dims, (0, -1)), (2, 3)),
    ("np.broadcast_to", positional(np.broadcast_to, (2, 3)), ()),
    ("np.broadcast_to", positional(np.broadcast_to, (2, 3, 4)), (4,)),
    ("np.broadcast_to", positional(np.broadcast_to, (2, 3, 4)), (3, 1)),
    ("np.atleast_1d", positional(np.atleast_1d), ()),
    ("np.atleast_2d", positional(np.atleast_2d), (3,)),
    ("np.atleast_3d", positional(np.atleast_3d), (3,)),
    ("np.atleast_3d", positional(np.atleast_3d), (2, 3)),
    ("np.ravel", positional(np.ravel), ()),
    ("np.ravel", positional(np.ravel), S3),
    ("np.reshape", positional(np.reshape, (4, -1)), S3),
    ("np.reshape", positional(np.reshape, -1), (3, 4)),
    ("np.reshape", positional(np.reshape, (1, 1)), ()),
    ("np.diag", positional(np.diag), (3,)),
    ("np.diag", positional(np.diag, -1), (3, 4)),
    ("np.diag", positional(np.diag, 2), (3, 4)),
    ("np.diagonal", positional(np.diagonal, 0, -1, 0), S3),
    ("np.diagonal", positional(np.diagonal, -1, 1, 2), S3),
    ("np.tril", positional(np.tril), (3, 4)),
    ("np.tril", positional(np.tril, 1), S3),
    ("np.triu", positional(np.triu, -1), S3),
    ("np.triu", positional(np.triu), (4, 3)),
    ("np.trace", positional(np.trace), (3, 4)),
    ("np.trace", positional(np.trace, 1, -1, 0), S3),
])


@pytest.mark.parametrize("name, f, shape", OLDER, ids=[c[1].__name__ for c in OLDER])
def test_older_shape_rules(name, f, shape):
    run_cases(name, f, shape)


def row_stack_plain(x, y):
    return np.row_stack([x, y * 2.0])


@exercises("np.row_stack")
def test_row_stack_is_vstack():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for xs, ys in [((3,), (3,)), ((2, 3), (3,)), ((1, 2, 2), (2, 2, 2))]:
            check_rule(row_stack_plain, sample(xs, (-1, 1), 1), sample(ys, (-1, 1), 2),
                       wrt=(0, 1))


def split_factory(fn, *extra):
    if len(extra) == 1:
        a, = extra

        def f(x):
            parts = fn(x, a)
            return parts[0] * 2.0 + np.sin(parts[-1])
    else:
        a, b = extra

        def f(x):
            parts = fn(x, a, b)
            return parts[0] * 2.0 + np.sin(parts[-1])
    f.__name__ = f"{fn.__name__}_{'_'.join(map(str, extra))}"
    return f


def split_middle_unused(x):
    a, b, c = np.array_split(x, 3, axis=-1)
    return np.sum(a) * np.sum(c)


SPLITS = table([
    ("np.split", split_factory(np.split, 2), (4,)),
    ("np.split", split_factory(np.split, [1, 3], -1), S3),
    ("np.split", split_factory(np.split, 3, 1), (2, 3, 2)),
    ("np.array_split", split_factory(np.array_split, 3), (5,)),
    ("np.array_split", split_factory(np.array_split, 3, -2), (2, 4, 3)),
    ("np.array_split", split_middle_unused, (2, 7)),
    ("np.hsplit", split_factory(np.hsplit, 2), (4,)),
    ("np.hsplit", split_factory(np.hsplit, [1]), S3),
    ("np.vsplit", split_factory(np.vsplit, 2), (4, 3)),
    ("np.dsplit", split_factory(np.dsplit, [1, 3]), S3),
])


@pytest.mark.parametrize("name, f, shape", SPLITS, ids=[c[1].__name__ for c in SPLITS])
def test_splits(name, f, shape):
    run_cases(name, f, shape)


# ============================================================ selection
IDX = np.array([[0, 2], [2, 1]])
SELECTION = table([
    ("np.take", positional(np.take, 3), (5,)),
    ("np.take", positional(np.take, [0, 3, 3, 1]), (2, 3)),
    ("np.take", positional(np.take, IDX, 1), S3),
    ("np.take", positional(np.take, [-1, 0, -1], -1), S3),
    ("np.take", positional(np.take, 1, 0), S3),
    ("np.take", positional(np.take, IDX, -2), (3, 2)),
    ("np.take", positional(np.take, 0), ()),
    ("np.take_along_axis", positional(np.take_along_axis, np.array([[0, 0], [2, 1]]), 1),
     (2, 3)),
    ("np.take_along_axis", positional(np.take_along_axis, np.array([[[1], [0], [1]]]), -1),
     (2, 3, 2)),
    ("np.take_along_axis", positional(np.take_along_axis, np.array([[2, 2, 0, 1]]), 0), (3, 4)),
    ("np.take_along_axis", positional(np.take_along_axis, np.array([3, 3, 0]), None), (2, 2)),
    ("np.take_along_axis", positional(np.take_along_axis, np.array([1, 0, 1]), 0), (2,)),
    ("np.compress", lambda_first(np.compress, [True, False, True]), (4,)),
    ("np.compress", lambda_first(np.compress, [False, True, True], 1), S3),
    ("np.compress", lambda_first(np.compress, [1, 0], -3), S3),
    ("np.compress", lambda_first(np.compress, [True, False, True, True, False]), (2, 3)),
    ("np.extract", lambda_first(np.extract, np.array([[1, 0, 1], [0, 0, 1]])), (2, 3)),
    ("np.sort", positional(np.sort), (5,)),
    ("np.sort", positional(np.sort, None), ()),
    ("np.sort", positional(np.sort, 0), S3),
    ("np.sort", positional(np.sort, -2), S3),
    ("np.sort", positional(np.sort, None), (2, 3)),
    ("np.partition", positional(np.partition, 2), (5,)),
    ("np.partition", positional(np.partition, (0, 2), 1), S3),
    ("np.partition", positional(np.partition, 1, None), (2, 3)),
    ("np.partition", positional(np.partition, -1, 0), (3, 4)),
])


@pytest.mark.parametrize("name, f, shape", SELECTION, ids=[c[1].__name__ for c in SELECTION])
def test_selection(name, f, shape):
    run_cases(name, f, shape, seed=5)


def method_take(x):
    return x.take([2, 0, 0], axis=-1)


def take_wrap(x):
    return np.take(x, [4, -7, 1], axis=0, mode="wrap")


def take_clip(x):
    return np.take(x, [4, -7, 1], mode="clip")


def sort_keyword(x):
    return np.sort(x, axis=0, kind="stable")


@exercises("ndarray.take()", "np.take", "np.sort")
@pytest.mark.parametrize("f", [method_take, take_wrap, take_clip, sort_keyword])
def test_selection_keywords(f):
    run_cases("", f, (3, 4))


def sort_ties(x):
    return np.sort(x) * np.array([1.0, 2.0, 3.0, 4.0])


@exercises("np.sort")
def test_sort_ties_follow_the_stable_order():
    g = adtrans.grad(lambda_sum(sort_ties))(np.array([2.0, 1.0, 2.0, 0.0]))
    np.testing.assert_array_equal(g, [3.0, 2.0, 4.0, 1.0])


def choose_list(a, x, y):
    return np.choose(a, [x, y * 2.0, 0.5])


def choose_array(a, xs):
    return np.choose(a, xs)


def choose_clip(a, x, y):
    return np.choose(a, [x, y], mode="clip")


@exercises("np.choose")
def test_choose():
    a = np.array([[0, 1, 2, 1], [2, 2, 0, 0], [1, 0, 1, 2]])
    x, y = sample((3, 4), (-1, 1), 1), sample((4,), (-1, 1), 2)
    check_rule(choose_list, a, x, y, wrt=(1, 2))
    check_rule(choose_list, a, 0.3, y, wrt=(1, 2))
    check_rule(choose_array, a, sample((3, 3, 4), (-1, 1)), wrt=1)
    check_rule(choose_clip, np.array([-1, 0, 3, 1]), y, x[0], wrt=(1, 2))
    check_int(choose_list, x, 1, a, y)


def select3(x, y):
    return np.select([x > 0.5, x < -0.2], [x ** 2, y], default=np.cos(y))


def select_positional_default(x, y):
    return np.select([x > 0.5, x < 0.0], [x * 3.0, 2.0], y)


def select_no_default(x, y):
    return np.select([y > 0], [x * y])


@exercises("np.select")
@pytest.mark.parametrize("xs, ys", [((5,), (5,)), ((3, 4), (4,)), ((2, 3, 4), ()),
                                    ((), (3,))])
def test_select(xs, ys):
    x, y = sample(xs, (-1, 1), 1), sample(ys, (-1, 1), 2)
    for f in (select3, select_positional_default, select_no_default):
        check_rule(f, x, y, wrt=(0, 1))


def puts_along_axis(x):
    y = x * 2.0
    np.put_along_axis(y, np.array([[0], [1]]), 0.0, axis=1)
    return np.sum(y)


def piecewise(x):
    return np.sum(np.piecewise(x, [x < 0, x >= 0], [np.sin, np.cos]))


def puts_values_along_axis(x, v, axis):
    y = np.sin(x)
    np.put_along_axis(y, np.argsort(x, axis=axis)[..., :1] if axis == -1 else
                      np.argsort(x, axis=axis)[:1], v * 3.0, axis=axis)
    return np.sum(y * y)


def puts_into_argument(x):
    np.put_along_axis(x, np.array([[0], [1]]), 0.0, axis=1)
    return np.sum(x)


def test_put_along_axis_is_an_index_write():
    # y[along_axis_index(y, i, axis)] = v, as NumPy does it: differentiated in y and v.
    check_rule(puts_along_axis, sample((2, 3), (-1, 1)))
    x = sample((3, 4), (-1, 1))
    check_rule(puts_values_along_axis, x, sample((1, 4), (-1, 1), 2), 0, wrt=(0, 1))
    check_rule(puts_values_along_axis, x, sample((3, 1), (-1, 1), 3), -1, wrt=(0, 1))
    with pytest.raises(AdtransError, match="caller's data"):
        adtrans.grad(puts_into_argument)(sample((2, 3), (-1, 1)))


def test_piecewise_refused_with_a_hint():
    with pytest.raises(AdtransError, match="np.select"):
        adtrans.grad(piecewise)(sample((2, 3), (-1, 1)))


def where_broadcast3(c, x, y):
    return np.where(c, x, y) ** 2


def nonzero_index(x):
    return x[np.nonzero(x > 0)] ** 2


def nonzero_rows(x):
    rows, cols = np.nonzero(x > 0.2)
    return x[rows, cols] * x[rows, 0]


@exercises("np.where")
def test_where_broadcasting_and_nonzero_indexing():
    c = np.array([[True], [False], [True]])
    check_rule(where_broadcast3, c, sample((4,), (-1, 1), 1), sample((2, 1, 1), (-1, 1), 2),
               wrt=(1, 2))
    check_rule(where_broadcast3, c, 0.5, sample((3, 4), (-1, 1), 2), wrt=(1, 2))
    for f in (nonzero_index, nonzero_rows):
        check_rule(f, sample((3, 4), (-1, 1), 3))


# ============================================================ statistics
def reduction_cases(name, fn, shapes=((), (5,), (3, 4), S3), axes=True, keepdims=True):
    """``fn`` over all axes (None, each, negative, a tuple), with and without keepdims."""
    cases = [(name, positional(fn), shape) for shape in shapes]
    if axes:
        cases += [(name, positional(fn, a), S3) for a in (0, 1, -1, (0, 2), (-1, -2))]
        cases += [(name, positional(fn, -1), (4,))]
    if keepdims:
        cases += [(name, keepdims_case(fn, a), S3) for a in (None, 1, (0, -1))]
    return cases


def keepdims_case(fn, axis):
    def f(x):
        return fn(x, axis=axis, keepdims=True)
    f.__name__ = f"{fn.__name__}_keepdims_{axis}"
    return f


def cumulative_cases(name, fn):
    return [(name, positional(fn), ()), (name, positional(fn), (5,)),
            (name, positional(fn), (3, 4)), (name, positional(fn, 1), S3),
            (name, positional(fn, -3), S3), (name, positional(fn, 0), (4,))]


STATISTICS = table(
    cumulative_cases("np.cumprod", np.cumprod) + cumulative_cases("np.nancumsum", np.nancumsum)
    + reduction_cases("np.nansum", np.nansum) + reduction_cases("np.nanmean", np.nanmean)
    + reduction_cases("np.nanprod", np.nanprod) + reduction_cases("np.nanmax", np.nanmax)
    + reduction_cases("np.nanmin", np.nanmin) + reduction_cases("np.nanvar", np.nanvar)
    + reduction_cases("np.nanstd", np.nanstd, shapes=((5,), (3, 4), S3))
    + reduction_cases("np.ptp", np.ptp)
    + reduction_cases("np.median", np.median)
    + reduction_cases("np.average", np.average, keepdims=False)
    + reduction_cases("np.var", np.var) + reduction_cases("np.std", np.std, shapes=((4,),))
    + reduction_cases("np.max", np.max) + reduction_cases("np.amin", np.amin)
    + [("np.quantile", positional(np.quantile, 0.3), (5,)),
       ("np.quantile", positional(np.quantile, [0.0, 0.5, 1.0]), (3, 4)),
       ("np.quantile", positional(np.quantile, np.array([[0.1], [0.75]]), -1), S3),
       ("np.quantile", positional(np.quantile, 0.9, (0, 2)), S3),
       ("np.quantile", positional(np.quantile, 0.5), ()),
       ("np.percentile", positional(np.percentile, 30.0), (5,)),
       ("np.percentile", positional(np.percentile, [10.0, 99.0], 1), S3),
       ("np.percentile", positional(np.percentile, 50, (-1, 0)), S3)])


@pytest.mark.parametrize("name, f, shape", STATISTICS, ids=[c[1].__name__ for c in STATISTICS])
def test_statistics(name, f, shape):
    run_cases(name, f, shape, seed=7)


def ddof_var(x):
    return np.var(x, axis=(0, -1), ddof=1, keepdims=True)


def ddof_std(x):
    return np.std(x, axis=-2, ddof=2)


def ddof_nanvar(x):
    return np.nanvar(x, axis=1, ddof=1)


def ddof_nanstd(x):
    return np.nanstd(x, ddof=1, keepdims=True)


def method_cumprod(x):
    return x.cumprod(axis=-1)


def quantile_keywords(x):
    return np.quantile(x, q=[0.25, 0.5], axis=1, keepdims=True, method="linear")


def percentile_keepdims(x):
    return np.percentile(x, 75.0, axis=(0, 2), keepdims=True)


def median_keepdims(x):
    return np.median(x, axis=-1, keepdims=True)


@exercises("np.var", "np.std", "np.nanvar", "np.nanstd", "ndarray.cumprod()", "np.quantile",
           "np.percentile", "np.median")
@pytest.mark.parametrize("f", [ddof_var, ddof_std, ddof_nanvar, ddof_nanstd, method_cumprod,
                               quantile_keywords, percentile_keepdims, median_keepdims])
def test_statistics_keywords(f):
    run_cases("", f, (3, 4, 2), seed=8)


def cumprod_total(x):
    return np.cumprod(x, axis=0)


@exercises("np.cumprod")
def test_cumprod_through_zeros():
    x = sample((5, 2), (-1, 1))
    x[1, 0] = 0.0
    x[3, 1] = x[4, 1] = 0.0
    check_rule(cumprod_total, x)
    check_rule(positional(np.cumprod), np.array([2.0, 0.0, 3.0, 0.0]))


NAN_X = np.array([[0.5, np.nan, -0.3, 0.8], [np.nan, np.nan, np.nan, np.nan],
                  [0.2, 0.9, np.nan, 0.9]])


def nan_reductions(x):
    return (np.nansum(x, axis=1) + np.nanmean(x, axis=1) + np.nanprod(x, axis=1) * 2.0
            + np.nanvar(x, axis=1) + np.nancumsum(x, axis=1)[:, -1])


def nan_extremes(x):
    return np.nanmax(x, axis=1) * 3.0 + np.nanmin(x, axis=1)


def nan_std(x):
    return np.nanstd(x[0])


@exercises("np.nansum", "np.nanmean", "np.nanprod", "np.nanvar", "np.nancumsum",
           "np.nanmax", "np.nanmin", "np.nanstd")
def test_nan_elements_get_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = vjp_ones(nan_reductions, NAN_X)
        clean = NAN_X[[0, 2]]
        expected = vjp_ones(nan_reductions, np.where(np.isnan(clean), 0.0, clean))
        # The row of NaNs gives zeros; other NaNs zeros; elsewhere the derivative with the
        # NaN entries fixed (checked by finite differences on the present ones).
        assert np.all(g[1] == 0) and np.all(g[np.isnan(NAN_X)] == 0)
        assert np.all(np.isfinite(expected))
        for row in (0, 2):
            present = ~np.isnan(NAN_X[row])

            def one_row(v, row=row, present=present):
                full = NAN_X[row].copy()
                full[present] = v
                return float(np.sum(nan_reductions(full[None])))
            v = NAN_X[row][present]
            eps = 1e-6
            fd = [(one_row(v + eps * e) - one_row(v - eps * e)) / (2 * eps)
                  for e in np.eye(v.size)]
            np.testing.assert_allclose(g[row][present], fd, rtol=1e-5, atol=1e-6)
        g = vjp_ones(nan_extremes, NAN_X)
        np.testing.assert_array_equal(g, [[0, 0, 1, 3], [0, 0, 0, 0], [1, 1.5, 0, 1.5]])
        g = vjp_ones(nan_std, NAN_X)
        assert np.all(np.isfinite(g[0])) and g[0, 1] == 0


def weighted_average(x, w):
    return np.average(x, axis=1, weights=w)


def weighted_average_full(x, w):
    return np.average(x, weights=w)


def weighted_average_negative(x, w):
    return np.average(x, -1, w, keepdims=True)


def average_returned(x):
    return np.average(x, weights=x, returned=True)[0]


@exercises("np.average")
def test_weighted_average():
    x = sample(S3, (-1, 1), 1)
    check_rule(weighted_average, x, sample((3,), (0.5, 2), 2), wrt=(0, 1))
    check_rule(weighted_average_full, x, sample(S3, (0.5, 2), 3), wrt=(0, 1))
    check_rule(weighted_average_negative, x, sample((4,), (0.5, 2), 4), wrt=(0, 1))
    check_rule(weighted_average_full, 0.5, 2.0, wrt=(0, 1))
    check_int(weighted_average, x, 0, sample((3,), (0.5, 2), 2))
    with pytest.raises(AdtransError, match="returned"):
        adtrans.grad(average_returned)(x)


def ties_max(x):
    return np.sum(np.max(x, axis=1)) + np.amin(x) * 2.0 + np.sum(np.ptp(x, axis=0))


@exercises("np.max", "np.amin", "np.ptp")
def test_extremes_share_ties_equally():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 1.0]])
    g = vjp_ones(ties_max, x)
    # max rows: [0, .5, .5], [.5, .5, 0]; amin: 1s at (0,0) and (1,2), 2 each shared: 1 each;
    # ptp columns: max-min per column, ties none except none.
    expected = np.array([[0, 0.5, 0.5], [0.5, 0.5, 0]]) + np.array([[1, 0, 0], [0, 0, 1]]) + \
        np.array([[-1, 1, 1], [1, -1, -1]])
    np.testing.assert_allclose(g, expected)


def quantile_method(x):
    return np.quantile(x, 0.5, method="nearest")


def quantile_of_q(x, q):
    return np.quantile(x, q)


def median_ties(x):
    return np.median(x)


@exercises("np.quantile", "np.median")
def test_quantile_refusals_and_ties():
    x = sample((5,), (-1, 1))
    with pytest.raises(AdtransError, match="linear"):
        adtrans.grad(quantile_method)(x)
    with pytest.raises(AdtransError, match="respect to q"):
        adtrans.grad(quantile_of_q, wrt=1)(x, 0.3)
    g = vjp_ones(median_ties, np.array([1.0, 2.0, 2.0, 2.0, 5.0]))
    assert np.sum(g) == 1.0 and g[0] == g[4] == 0


# ============================================================ np.r_ and np.c_
def r_mixed(x, a):
    return np.r_[a, 2.0 * x, 0:3, 5.0] ** 2


def r_single(x, a):
    return np.r_[np.sin(x)] * a


def r_arrays(x, a):
    return np.r_[x[1:], np.cos(x), a * x[0]]


def c_mixed(x, a):
    return np.c_[x, x * a, np.ones(np.shape(x))] ** 2


def c_matrices(x, a):
    return np.c_[np.outer(x, x), x] * a


def r_directive(x, a):
    return np.r_["0,2", x, a * x]


def c_directive(x, a):
    return np.c_["1", x, a]


def r_matrices(x, a):
    return np.r_[np.outer(x, x), np.outer(x, x) * a]


@exercises("np.r_", "np.c_")
def test_r_and_c():
    x = sample((3,), (-1, 1), 1)
    for f in (r_mixed, r_single, r_arrays, c_mixed, c_matrices):
        check_rule(f, x, 0.4, wrt=(0, 1))
        check_rule(f, x, np.float64(0.4), wrt=(0, 1))
        check_int(f, x, 0, 0.4)
    check_rule(r_mixed, 0.5, x, wrt=(0, 1))
    for f in (r_directive, c_directive):
        with pytest.raises(AdtransError, match="string directive"):
            adtrans.vjp(f, x, 0.4)
    with pytest.raises(AdtransError, match="np.concatenate"):
        adtrans.vjp(r_matrices, x, 0.4)[1](np.ones((6, 3)))


def choose_keyword(x):
    return np.choose(np.array([0, 1]), choices=[x, 2.0 * x])


def choose_keyword_name(x):
    parts = [x, 2.0 * x]
    return np.choose(np.array([0, 1]), choices=parts)


@exercises("np.choose")
def test_a_called_rule_refuses_a_varied_keyword_argument():
    # Regression: called rules give cotangents of positional arguments only; a keyword one
    # got a silent zero.
    with pytest.raises(AdtransError, match="depend on the input"):
        adtrans.grad(lambda_sum(choose_keyword))(np.array([1.0, 2.0]))
    with pytest.raises(AdtransError, match="positionally"):
        adtrans.grad(lambda_sum(choose_keyword_name))(np.array([1.0, 2.0]))
