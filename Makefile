# qcloud.ci developer and CI entry points. Every target does its own set-up on
# a fresh machine (venvs from the pinned files in .ci/, see tests/ci/env.sh).
#
#   make ee              the execution-environment image, built with ansible-builder and podman (hack/ee-build.sh)
#   make demo            the deployment gate against the local CI emulator (hack/demo.sh)
#   make docs            the docs site, offline, into .cache/docs/build/html (tests/ci/docs.sh)
#   make bench           benchmark against the emulator, not part of make test (tests/bench/bench.py;
#                        BENCH_ARGS="--quick" or "--runs K"); chart: docs/docsite/rst/performance.png
#   make release-notes   fold changelogs/fragments into the galaxy.yml version: CHANGELOG.md
#   make test            every stage (what CI runs through .ci/run)
#   make pytest | units | sanity | integration | lint | changelog-lint | build-install
#   make stage S="sanity-2.21 units-2.19"   any stages by name (make stages: list)
#   make venv            build/refresh .venv/main and .venv/oldest only
#   make locks           regenerate the pinned files from .ci/*.in (needs PyPI)
#   make clean           remove .venv, .cache and test outputs
#
# A new stage is one line in tests/ci/run-stages.sh; `make stage S=NAME` runs it.

RUN := tests/ci/run-stages.sh
WITH_ENV := tests/ci/with-env.sh

.PHONY: test pytest units sanity integration lint ansible-lint changelog-lint \
	build-install stage stages venv locks clean demo docs ee release-notes bench

test:
	@$(RUN)

demo:
	@$(WITH_ENV) hack/demo.sh

ee:
	@$(WITH_ENV) hack/ee-build.sh

docs:
	@$(WITH_ENV) tests/ci/docs.sh

bench:
	@$(WITH_ENV) python tests/bench/bench.py $(BENCH_ARGS)

release-notes:
	@$(WITH_ENV) hack/release-notes.sh

pytest:
	@$(RUN) pytest

units:
	@$(RUN) units

sanity:
	@$(RUN) sanity

integration:
	@$(RUN) integration

lint:
	@$(RUN) ansible-lint changelog-lint

ansible-lint:
	@$(RUN) ansible-lint

changelog-lint:
	@$(RUN) changelog-lint

build-install:
	@$(RUN) build-install

stage:
	@test -n "$(S)" || { echo 'usage: make stage S="NAME..." (make stages lists them)'; exit 2; }
	@$(RUN) $(S)

stages:
	@$(RUN) --list

venv:
	@$(WITH_ENV) qci_venv oldest

locks:
	@hack/refresh-locks.sh

clean:
	rm -rf .venv .cache tests/output tests/integration/inventory .ansible changelogs/.plugin-cache.yaml
