"""Programs from Tangent's bug reports, where Tangent returned wrong gradients or crashed.

Tangent (Google's earlier source-to-source AD for Python) got these wrong; adtrans
must get them right.  The functions follow the reports' code.
"""

import numpy as np

from adtrans.testing import check_grads

BTU_S2HP, HP_PER_RPM_TO_FT_LBF = 1.4148532, 5252.11


def enthalpy_and_power(w_in, w_out, ht_in, ht_out_ideal, eff, nmech, b1_w, b1_ht,
                       b1_ht_ideal):
    """Tangent issue 64: augmented assignments continued over several lines."""
    ht_out = w_in / w_out * (ht_in * (1.0 - eff) + ht_out_ideal * eff)
    power = w_in * eff * (ht_in - ht_out_ideal) * BTU_S2HP

    ht_out += b1_w / w_out * \
        (b1_ht * (1.0 - eff) +
         b1_ht_ideal * eff)
    power += b1_w * eff * \
        (b1_ht - b1_ht_ideal) * BTU_S2HP

    # torque from the revised power and the shaft speed
    trq = power / \
        nmech * HP_PER_RPM_TO_FT_LBF
    return power + 0.0 * trq + 0.0 * ht_out


def test_issue_64_augmented_assignment_over_continued_lines():
    args = (1.2, 1.1, 300.0, 250.0, 0.85, 3000.0, 0.3, 310.0, 260.0)
    check_grads(enthalpy_and_power, *args, wrt=tuple(range(9)), rtol=1e-4)


def logsumexp_loops(a):
    """Tangent issue 66: a running maximum and an accumulation in loops (Tangent: zeros)."""
    result = 0.0
    largest_in_a = a[0]
    a_shape = len(a)
    for i in range(1, a_shape):
        if a[i] > largest_in_a:
            largest_in_a = a[i]
    for i in range(a_shape):
        result += np.exp(a[i] - largest_in_a)
    return np.log(result) + largest_in_a


def test_issue_66_logsumexp_with_loops():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    got = check_grads(logsumexp_loops, x)
    np.testing.assert_allclose(got, np.exp(x) / np.sum(np.exp(x)), rtol=1e-12)


def index_writes_in_a_loop(d, n):
    """Tangent issue 69: index assignment in a loop (Tangent: NameError in its code)."""
    S = np.zeros((n, n))
    for i in range(n):
        S[i, 2] = 1.0
        if i == 2:
            S[i, i] += d[i]
    return S


def test_issue_69_index_assignment_in_a_loop():
    check_grads(index_writes_in_a_loop, np.array([0.5, -1.0, 2.0, 0.3]), 4)


def last_slice(x):
    """Tangent issue 56: a slice x[:, :, f] taken in a loop ("can't assign to literal")."""
    for f in range(np.shape(x)[2]):
        r = x[:, :, f]
    return r


def row_slices(x):
    """Slices such as x[0, :] read and written."""
    y = np.zeros_like(x)
    for i in range(x.shape[0]):
        y[i, :] = x[0, :] * x[i, :]
    return np.sum(y ** 2)


def test_issue_56_slices():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    check_grads(last_slice, x)
    check_grads(row_slices, x[:, :, 0])
