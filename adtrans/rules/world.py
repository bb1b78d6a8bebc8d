"""The closed world beyond derivative rules: functions that are not differentiated.

Each entry is a claim about a function, and tests/test_closed_world.py checks
the claims it can: every piecewise-constant entry against finite differences
(a zero derivative in every float argument at random points), every
non-numeric entry for a result that is not a number.  A function that is
differentiable in any argument belongs in the rule table or nowhere (then
adtrans refuses it where it sees a value that carries a gradient).
"""

import inspect
import logging
import math
import operator
import pprint
import sys
import warnings

import numpy as np

from ..runtime import (
    along_axis_index,
    changes_in_place,
    first_extremum,
    require_list,
    stable_order,
    stop_gradient,
)
from .registry import (
    declared_constant,
    effect_free,
    implicit_scope,
    mutating,
    mutating_methods,
    non_numeric,
    piecewise_constant,
)

# Rounding, signs, comparisons, predicates, counts and positions: their value changes only in
# jumps, so their derivative is zero wherever it exists.
piecewise_constant(
    math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite, math.isclose,
    math.factorial, math.gcd, math.isqrt, math.comb, math.perm, math.lcm, math.ulp,
    np.signbit, np.isclose, np.allclose, np.array_equal, np.array_equiv, np.all, np.any,
    np.argwhere, np.flatnonzero, np.nonzero, np.searchsorted, np.digitize, np.lexsort,
    np.argpartition, np.isposinf, np.isneginf, np.isreal, np.iscomplex, np.isrealobj,
    np.iscomplexobj, np.isscalar, np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert,
    np.left_shift, np.right_shift, np.spacing, np.around, np.zeros, np.ones, np.empty, np.eye,
    np.identity, np.zeros_like, np.ones_like, np.empty_like, np.shape, np.ndim, np.size,
    all, any, stable_order, first_extremum, along_axis_index, operator.not_, operator.truth,
    operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne,
    methods=("is_integer", "index", "count"))

piecewise_constant(np.linalg.matrix_rank)     # an integer count of singular values
piecewise_constant(np.where, alone=True)       # np.where(c) is np.nonzero(c): indices

# Positions, memberships and integer-valued functions (np.ix_ is not here: it returns float
# arrays it is given; nor np.unique or np.histogram_bin_edges, whose values move).
piecewise_constant(
    np.nanargmax, np.nanargmin, np.isin, np.indices, np.tri, np.tril_indices, np.triu_indices,
    np.tril_indices_from, np.triu_indices_from, np.diag_indices, np.diag_indices_from,
    np.ravel_multi_index, np.unravel_index, np.lcm, np.gcd, np.logical_xor, np.bitwise_count)

non_numeric(str, repr, ascii, format, bin, hex, oct, chr, type, isinstance, issubclass, callable,
            hasattr, changes_in_place)

declared_constant(stop_gradient)

effect_free(print, pprint.pprint, warnings.warn, breakpoint,
            logging.debug, logging.info, logging.warning, logging.error, logging.critical,
            logging.exception, logging.log,
            logging.Logger.debug, logging.Logger.info, logging.Logger.warning,
            logging.Logger.error, logging.Logger.critical, logging.Logger.exception,
            logging.Logger.log, require_list)

# They read or write the variables of the function without naming them.
implicit_scope(eval, exec, locals, vars, globals, dir, sys._getframe, inspect.currentframe,
               inspect.stack)

for _function in (np.copyto, np.put, np.place, np.putmask, np.fill_diagonal,
                  np.put_along_axis, np.random.shuffle, setattr, delattr):
    mutating(_function, 0)

mutating_methods("append", "extend", "insert", "pop", "remove", "clear", "reverse", "sort",
                 "update", "setdefault", "popitem", "fill", "put", "itemset", "resize",
                 "partition")
