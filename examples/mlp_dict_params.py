"""A two-layer network whose parameters live in a dict, trained by gradient descent.

The model is written as a user would: a ``layer`` helper, the parameters in a dict
``params = {"W1": ..., "b1": ..., "W2": ..., "b2": ...}``, a softmax cross-entropy loss.
``adtrans.grad(loss)`` returns the gradient as a dict with the same keys, so one
update is a dict comprehension.  The data: three Gaussian blobs in the plane, made here.
"""

import numpy as np

import adtrans


def layer(W, b, x, activation=None):
    z = x @ W + b
    if activation is None:
        return z
    return activation(z)


def log_softmax(z):
    shifted = z - np.max(z, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def loss(params, X, Y):
    """Mean cross-entropy of a tanh hidden layer and a linear output; Y one-hot."""
    h = layer(params["W1"], params["b1"], X, np.tanh)
    logits = layer(params["W2"], params["b2"], h)
    return -np.mean(np.sum(Y * log_softmax(logits), axis=1))


def blobs(n_per_class, rng):
    centers = np.array([[0.0, 2.0], [-1.8, -1.0], [1.8, -1.0]])
    X = np.concatenate([c + 0.6 * rng.standard_normal((n_per_class, 2)) for c in centers])
    labels = np.repeat(np.arange(3), n_per_class)
    return X, np.eye(3)[labels], labels


def init(rng, hidden=16):
    return {"W1": 0.5 * rng.standard_normal((2, hidden)), "b1": np.zeros(hidden),
            "W2": 0.5 * rng.standard_normal((hidden, 3)), "b2": np.zeros(3)}


def accuracy(params, X, labels):
    h = np.tanh(X @ params["W1"] + params["b1"])
    return np.mean(np.argmax(h @ params["W2"] + params["b2"], axis=1) == labels)


def main():
    rng = np.random.default_rng(0)
    X, Y, labels = blobs(60, rng)
    params = init(rng)
    d_loss = adtrans.grad(loss)
    print("generated gradient of loss (the layer helper is inlined):")
    print(adtrans.source(d_loss, params, X, Y))

    # The gradient is a dict of arrays shaped like the parameters, and right.
    g = d_loss(params, X, Y)
    assert set(g) == set(params) and all(g[k].shape == params[k].shape for k in params)
    adtrans.testing.check_grads(loss, params, X, Y)

    first = loss(params, X, Y)
    for step in range(300):
        g = d_loss(params, X, Y)
        params = {k: params[k] - 0.5 * g[k] for k in params}
        if step % 100 == 0:
            print(f"  step {step:3d}: loss {loss(params, X, Y):.4f}")
    last = loss(params, X, Y)
    acc = accuracy(params, X, labels)
    print(f"loss {first:.4f} -> {last:.4f}, training accuracy {acc:.3f}")
    assert last < 0.2 * first, (first, last)
    assert acc > 0.95, acc
    print("mlp_dict_params: trained")


if __name__ == "__main__":
    main()
