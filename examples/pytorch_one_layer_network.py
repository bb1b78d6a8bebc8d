"""The one-layer network of the PyTorch "Automatic Differentiation" tutorial, in NumPy.

Seeds: ``shared/seeds/000_ea7d0742b561e03b.txt`` (Vietnamese),
``003_4555ddae47ff6c47.txt`` (English course notes) and ``004_017f9cada7c27743.txt``
(Russian).  All three build::

    x = ones(5); y = zeros(3); w = randn(5, 3); b = randn(3)
    z = x @ w + b
    loss = binary_cross_entropy_with_logits(z, y)     # mean over the 3 outputs

and ask for ``d loss / d w`` and ``d loss / d b``.  Here the loss is written in NumPy in
its numerically stable form ``mean(max(z, 0) - z * y + log1p(exp(-|z|)))``, and the
closed form of its gradient is ``(sigmoid(z) - y) / 3`` for ``b`` and
``outer(x, (sigmoid(z) - y) / 3)`` for ``w``.

Three runs:

1. ``w``, ``b`` from a seeded NumPy generator: adtrans against the closed form.
2. The weights the Vietnamese notebook printed (to 4 decimals): ``z``, the loss
   ``1.4749889`` and the gradient rows ``[0.3184, 0.2254, 0.0580]`` it printed.
3. The Russian notebook printed only the loss ``0.6736686`` and the gradient rows
   ``[0.0883, 0.2289, 0.1415]``, not ``w`` or ``b``.  Since ``dloss/db = sigmoid(z) / 3``
   here, ``z = logit(3 * dloss/db)``; a seeded ``w`` and ``b = z - x @ w`` rebuild a network
   with that ``z``, and its loss and gradients must match both printed values (a check
   that the two printed numbers agree with this loss, and that adtrans agrees with both).

The notebooks' ``torch.no_grad()`` / ``detach()`` cells (``requires_grad`` False) map to
``adtrans.stop_gradient``: a frozen ``w`` gets a zero gradient.  The ``grad_fn`` cells
map to ``adtrans.source``, which shows the generated backward code.
"""

import numpy as np

import adtrans
import adtrans.testing

PRINTED = 5e-5  # absolute tolerance for values a notebook printed to 4 decimals


def bce_with_logits_loss(w, b, x, y):
    z = x @ w + b
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def bce_loss_frozen_w(w, b, x, y):
    z = x @ adtrans.stop_gradient(w) + b
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def closed_form(w, b, x, y):
    """Gradients of the mean BCE-with-logits loss, derived by hand."""
    z = x @ w + b
    g_b = (sigmoid(z) - y) / z.shape[0]
    return np.outer(x, g_b), g_b


def show(label, value):
    text = np.array2string(np.asarray(value), precision=4, suppress_small=True)
    print(f"  {label:<12} " + text.replace("\n", "\n" + " " * 15))


def main():
    x = np.ones(5)
    y = np.zeros(3)
    loss_grad = adtrans.grad(bce_with_logits_loss, wrt=(0, 1))

    print("1. Seeded random w (5x3), b (3): adtrans vs the closed form (sigmoid(z) - y) / 3")
    rng = np.random.default_rng(0)
    w = rng.standard_normal((5, 3))
    b = rng.standard_normal(3)
    loss, (g_w, g_b) = adtrans.value_and_grad(bce_with_logits_loss, wrt=(0, 1))(w, b, x, y)
    want_w, want_b = closed_form(w, b, x, y)
    show("z =", x @ w + b)
    show("loss =", loss)
    show("dloss/dw =", g_w)
    show("dloss/db =", g_b)
    np.testing.assert_allclose(g_w, want_w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g_b, want_b, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g_w, np.outer(x, g_b), rtol=1e-12)
    # The same gradients, asking for the parameters by name.
    by_name = adtrans.grad(bce_with_logits_loss, wrt=("w", "b"))(w, b, x, y)
    np.testing.assert_allclose(by_name[0], want_w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(by_name[1], want_b, rtol=1e-12, atol=1e-15)
    # And against central finite differences.
    adtrans.testing.check_grads(bce_with_logits_loss, w, b, x, y, wrt=(0, 1))

    print("2. The weights printed in the Vietnamese notebook (seed 000)")
    w = np.array([
        [-0.0051, -0.3425, -0.6627],
        [0.3125, -0.3847, 1.8364],
        [-0.3172, 0.0888, -1.0711],
        [1.3015, 1.0996, -0.8059],
        [0.2707, 0.2941, -0.1797],
    ])
    b = np.array([1.4978, -0.0189, -0.6739])
    z = x @ w + b
    loss = bce_with_logits_loss(w, b, x, y)
    g_w, g_b = loss_grad(w, b, x, y)
    show("z =", z)
    show("loss =", loss)
    show("dloss/dw =", g_w)
    show("dloss/db =", g_b)
    np.testing.assert_allclose(z, [3.0602, 0.7364, -1.5569], atol=PRINTED)
    # w and b were printed rounded, so the loss only agrees to about 1e-5.
    np.testing.assert_allclose(loss, 1.4749889373779297, rtol=1e-4)
    np.testing.assert_allclose(g_b, [0.3184, 0.2254, 0.0580], atol=PRINTED)
    np.testing.assert_allclose(g_w, np.tile([0.3184, 0.2254, 0.0580], (5, 1)), atol=PRINTED)

    print("3. The loss and gradients printed in the Russian notebook (seed 004)")
    printed_g_b = np.array([0.0883, 0.2289, 0.1415])
    p = 3 * printed_g_b
    z = np.log(p / (1 - p))  # logit: the z for which sigmoid(z) / 3 is the printed gradient
    w = np.random.default_rng(4).standard_normal((5, 3))
    b = z - x @ w
    loss = bce_with_logits_loss(w, b, x, y)
    g_w, g_b = loss_grad(w, b, x, y)
    show("z =", z)
    show("loss =", loss)
    show("dloss/dw =", g_w)
    show("dloss/db =", g_b)
    # The gradient rows were printed to 4 decimals, so the rebuilt loss agrees to ~1e-4.
    np.testing.assert_allclose(loss, 0.6736685633659363, rtol=2e-4)
    np.testing.assert_allclose(g_b, printed_g_b, atol=PRINTED)
    np.testing.assert_allclose(g_w, np.tile(printed_g_b, (5, 1)), atol=PRINTED)

    print("4. torch.no_grad() / detach(): freezing w with adtrans.stop_gradient")
    g_w, g_b = adtrans.grad(bce_loss_frozen_w, wrt=(0, 1))(w, b, x, y)
    show("dloss/dw =", g_w)
    show("dloss/db =", g_b)
    np.testing.assert_allclose(g_w, np.zeros((5, 3)))
    np.testing.assert_allclose(g_b, printed_g_b, atol=PRINTED)

    print("5. grad_fn: the generated backward code for the loss")
    src = adtrans.source(loss_grad)
    assert isinstance(src, str) and src.strip(), "adtrans.source returned no code"
    print("  " + src.strip().replace("\n", "\n  "))
    print("pytorch_one_layer_network: all published values reproduced")


if __name__ == "__main__":
    main()
