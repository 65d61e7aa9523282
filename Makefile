# The two commands of the README, and a few for developers.
#   make demo   install what is missing, build, and run the platform with demo data
#   make test   install what is missing, build with ASan+UBSan, run every test
# Build trees: build/release (demo, bench), build/test (sanitizers), build/fuzz (clang).

SHELL := /bin/bash
RELEASE := build/release
TESTBUILD := build/test
FUZZBUILD := build/fuzz

.PHONY: all demo test bootstrap release bench fuzz format clean

all: release

bootstrap:
	@scripts/bootstrap

$(RELEASE)/build.ninja:
	meson setup $(RELEASE) --buildtype=release -Db_ndebug=true

release: bootstrap $(RELEASE)/build.ninja
	ninja -C $(RELEASE)

# Builds a demo workspace from synthetic data once (build/demo), prints the demo logins and
# serves the platform on http://127.0.0.1:8080.
demo: release
	scripts/demo $(RELEASE)

$(TESTBUILD)/build.ninja:
	CC=gcc meson setup $(TESTBUILD) --buildtype=debugoptimized --werror \
	    -Db_sanitize=address,undefined -Db_lundef=false

test: bootstrap $(TESTBUILD)/build.ninja
	ninja -C $(TESTBUILD)
	@status=0; \
	meson test -C $(TESTBUILD) --print-errorlogs --num-processes 2 --timeout-multiplier 4 \
	    > $(TESTBUILD)/meson-test.out 2>&1 || status=$$?; \
	tail -n 25 $(TESTBUILD)/meson-test.out; \
	python3 scripts/test-summary $(TESTBUILD)/meson-logs/testlog.json || status=1; \
	exit $$status

$(FUZZBUILD)/build.ninja:
	CC=clang meson setup $(FUZZBUILD) --buildtype=debugoptimized -Dfuzzing=true \
	    -Db_sanitize=address,undefined -Db_lundef=false

# Build the libFuzzer targets; run one with e.g.
#   build/fuzz/fuzz/fuzz_idcard fuzz/corpus/idcard -max_total_time=60
fuzz: bootstrap $(FUZZBUILD)/build.ninja
	ninja -C $(FUZZBUILD)

bench: release
	bench/run-all $(RELEASE)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
