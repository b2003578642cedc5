# Cita Bridge. `make test` and `make demo` each set up what they need from nothing.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTEST := $(PY) -m pytest

.PHONY: test demo setup system-deps lint bench installer test-installer clean

setup: system-deps $(STAMP)

system-deps:
	@bash scripts/setup-system.sh

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,installer]'
	@touch $(STAMP)

## Run every test: the main suite, then the one test that needs a real SecretService keyring.
test: setup
	$(PYTEST) -q -m "not keyring_real"
	bash scripts/with-secret-service.sh $(PYTEST) -q -m keyring_real

## The whole system on this machine, ending in a patient chat in the terminal.
demo: setup
	$(VENV)/bin/cita-demo all

lint: setup
	$(VENV)/bin/ruff check agent relay demo wire tests bench

## Every benchmark, each printing its figures beside its targets (bench/README.md). Not part of `make test`.
BENCHES := bench/portal_bench.py "bench/relay_load.py --compare" bench/agent_bench.py bench/portal_load.py \
	bench/store_cpu.py bench/http_path_cpu.py bench/agent_frames_cpu.py bench/redis_store_cpu.py bench/conversation_cpu.py
bench: setup
	@status=0; for b in $(BENCHES); do echo "== $$b"; $(PY) $$b || status=1; done; exit $$status

installer: setup
	$(VENV)/bin/pyinstaller --noconfirm installer/cita-agent.spec

test-installer: setup
	$(PYTEST) -q -m installer

clean:
	rm -rf build dist test-output .pytest_cache
