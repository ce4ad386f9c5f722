# servsim — the two commands a newcomer needs: `make run` and `make test`.
# Both bootstrap .venv (Python >= 3.12) on a fresh clone.

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
EXTRAS  ?= test,parallel,cluster,dashboard,explore,data
# Ray lives in its own venv: hydra-ray-launcher pins cloudpickle<3, which would pull
# .venv's joblib back to 1.5.x. tests/test_launchers.py drives its servsim/ray by path.
# `make test RAY_VENV=` (empty) skips building it; those tests then skip, saying why.
RAY_VENV   ?= .venv-ray
RAY_STAMP  := $(if $(RAY_VENV),$(RAY_VENV)/.installed-stamp)
# Find a Python >= 3.12: $(PYTHON) if given, then python3.12, then pyenv's 3.12, then python3.
PYTHON  ?= $(shell for c in python3.12 python3.13 python3; do \
	  p=$$(command -v $$c 2>/dev/null) && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; exit 0; }; done; \
	  for d in $$HOME/.pyenv/versions/3.12* $$HOME/.pyenv/versions/3.13*; do \
	  [ -x $$d/bin/python3 ] && { echo $$d/bin/python3; exit 0; }; done)

.PHONY: run test test-fast venv ray-venv bench validate calibrate experiments demo clean help

help:
	@echo "make run    - create .venv if missing, install servsim, run the default scenario"
	@echo "make test   - same bootstrap (and .venv-ray for the Ray/submitit launcher tests), then the whole test suite"
	@echo "make test-fast - the tests without the slow and browser ones (the edit loop; minutes, not ten)"
	@echo "make validate - full-size validation: results/validation/*.png and docs/validation.md"
	@echo "make calibrate - refit the engine to CDNOW (docs/calibration.md; ~5 min)"
	@echo "make bench  - speed benchmarks (writes benchmarks/RESULTS.md)"
	@echo "make demo   - the classroom dashboard on http://127.0.0.1:8765 (offline)"
	@echo "make experiments - the canned experiments (python -m servsim.experiments --list): results/<name>/summary.md and figures"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: servsim needs Python >= 3.12; install it (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12'" >&2; exit 1; fi
	@test -x $(PY) || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	$(PY) -m servsim.kernels
	@touch $(STAMP)

# the same Python as .venv; editable, so Ray workers import this checkout's servsim
$(RAY_VENV)/.installed-stamp: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: servsim needs Python >= 3.12; install it (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12'" >&2; exit 1; fi
	@test -x $(RAY_VENV)/bin/python || { echo "creating $(RAY_VENV) (Ray, submitit) with $(PYTHON)"; $(PYTHON) -m venv $(RAY_VENV); }
	$(RAY_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(RAY_VENV)/bin/python -m pip install --quiet -e ".[test,ray,cluster]"
	@touch $@

ray-venv: $(RAY_STAMP)

run: $(STAMP)
	$(VENV)/bin/servsim

# the whole suite, then the 25 slowest tests (CI's log shows where the time goes)
test: $(STAMP) $(RAY_STAMP)
	SERVSIM_RAY_VENV=$(RAY_VENV) $(PY) -m pytest -q --durations=25

# the edit loop: everything but the slow and the browser tests (no .venv-ray needed)
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow and not browser"

validate: $(STAMP)
	$(VENV)/bin/servsim-validate --size full

# refit servsim's engine to CDNOW as the stored estimates were found (docs/calibration.md;
# src/servsim/configs/calibration/cdnow_servsim.yaml): SMM on weeks 1-39, counter draws,
# the three-block objective (moments.split_week=0, the default, spelled out; with 19 the
# within-window conditional block enters: that refit is not stored, see the docs)
calibrate: $(STAMP)
	$(PY) -m servsim.calibration fit --preset cdnow simulator=servsim 'seeds=[0,1]' \
	    uncertainty.bootstrap=0 search.trials=1 search.polish=150 moments.split_week=0 \
	    '++parameters={market.innovation: {low: 0.00001, high: 0.02, log: true}}' \
	    '++search.start={r: 0.23232, alpha: 4.1750, a: 0.59153, b: 1.6104, market.innovation: 0.0005}'

demo: $(STAMP)
	$(VENV)/bin/servsim-demo

# every experiment of servsim.experiments.EXPERIMENTS (the one list), in its order;
# `make experiments EXPERIMENT=recovery` runs one
EXPERIMENT ?= all
experiments: $(STAMP)
	$(PY) -m servsim.experiments $(EXPERIMENT) --quiet

bench: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .venv-ray build *.egg-info src/*.egg-info .pytest_cache .hypothesis
