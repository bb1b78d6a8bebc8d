"""The performance harness: gradient time over plain-NumPy time, adtrans beside its peers.

``benchmarks/run.py`` is the entry point (``make bench``).  ``workloads`` holds the
plain NumPy functions adtrans differentiates, ``cases`` their inputs and targets,
``peers`` the same arithmetic written for HIPS autograd, PyTorch and JAX.
"""
