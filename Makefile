# qcloud.ci developer and CI entry points. Every target does its own set-up on
# a fresh machine (venvs from the pinned files in .ci/, see hack/make-test/env.sh).
#
#   make ee              the execution-environment image, built with ansible-builder and podman (hack/ee-build.sh)
#   make demo            the deployment gate against the local CI emulator (hack/demo.sh)
#   make docs            the docs site, offline, into .cache/docs/build/html (hack/docs.sh)
#   make bench           benchmark against the emulator, not part of make test (tests/bench/bench.py;
#                        BENCH_ARGS="--quick" or "--runs K"); chart: docs/docsite/rst/performance.png
#   make release-notes   fold changelogs/fragments into the galaxy.yml version: CHANGELOG.md
#   make test            every stage (what CI runs through .ci/run)
#   make pytest | units | sanity | integration | lint | changelog-lint | build-install
#                        (units = units-2.21 units-2.19 units-2.16, and so on)
#   make stage S="sanity-2.16 integration-2.18"   any stages by name (make stages: list)
#   make venv            build/refresh every lane's venv (.venv/main, .venv/2.16, ...)
#   make locks           regenerate the pinned files from .ci/*.in (needs PyPI);
#                        LANES="2.16 importer" for some only
#
# Lanes (one venv per ansible-core, QCI_LANES in hack/make-test/env.sh): main
# (2.21, every tool), 2.16, 2.18, 2.19, importer (galaxy-importer).
#   make clean           remove .venv, .cache and test outputs
#
# A new stage is one line in hack/make-test/run-stages.sh; `make stage S=NAME` runs it.

RUN := hack/make-test/run-stages.sh
WITH_ENV := hack/make-test/with-env.sh

.PHONY: test pytest units sanity integration lint ansible-lint changelog-lint \
	build-install stage stages venv locks clean demo docs ee release-notes bench

test:
	@$(RUN)

demo:
	@$(WITH_ENV) hack/demo.sh

ee:
	@$(WITH_ENV) hack/ee-build.sh

docs:
	@$(WITH_ENV) hack/docs.sh

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
	@$(WITH_ENV) qci_venvs

locks:
	@hack/refresh-locks.sh $(LANES)

clean:
	rm -rf .venv .cache tests/output tests/integration/inventory .ansible changelogs/.plugin-cache.yaml
