# The two entry points of the README. Both install what they need first.
PRESET ?= dev
JOBS ?= $(shell nproc)
CLNRM := build/$(PRESET)/clnrm

.PHONY: deps engine build demo test bench clean

deps:
	bash scripts/setup-deps.sh

# The test Docker engine (no bridge, loopback only, root in a container is
# not the host's: --userns-remap) and the offline test images.
engine: deps
	CLNRM_DOCKER_USERNS=1 bash scripts/start-docker.sh
	bash scripts/make-test-images.sh

build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET) -j $(JOBS)

# Main job: run every example on the default (sandbox) backend.
demo: build
	$(CLNRM) run examples/

# The whole test suite: unit, integration (real sandbox, real engine), e2e, bench smoke.
test: build engine
	ctest --preset $(PRESET) -j $(JOBS)

bench:
	bash scripts/run_benchmarks.sh

clean:
	rm -rf build
