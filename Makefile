# Set-up and everyday commands. Each target creates .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz lint bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m adtrans demo

test: $(STAMP)
	$(PY) -m pytest -q

fuzz: $(STAMP)
	ADTRANS_FUZZ_EXAMPLES=20000 $(PY) -m pytest -q -s tests/test_fuzz_programs.py

lint: $(STAMP)
	$(PY) -m pip install --quiet ruff
	$(PY) -m ruff check adtrans tests examples benchmarks

# The peers (autograd, PyTorch CPU, JAX) and matplotlib: only `make bench` needs them.
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

# make bench BENCH_ARGS="--quick" or BENCH_ARGS="--only rnn"; see benchmarks/run.py --help.
bench: $(BENCH_STAMP)
	$(PY) benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
