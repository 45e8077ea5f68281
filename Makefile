# libzmq.so.1 in Rust: build, test, demo, install.
#   make            build the library (build/lib) and the C tests
#   make test       Rust unit tests + C API tests on our library and on the
#                   reference libzmq 2.2.0 (differential) + swap-in test
#   make demo       the request-reply broker (C, linked with -lzmq)
#   make install    PREFIX=/usr/local DESTDIR=
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CARGO ?= cargo
CFLAGS_TEST = -Wall -Wextra -Werror -O1 -g -Iinclude -Icapi-tests
VERSION = 2.2.1
LIBFILE = libzmq.so.1.0.1

MAN3 = $(wildcard doc/man/man3/*.3)
MAN7 = $(wildcard doc/man/man7/*.7)

BUILD = build
LIBDIR = $(BUILD)/lib
REFDIR = $(BUILD)/ref
CXX ?= c++
TESTS = $(patsubst capi-tests/%.c,$(BUILD)/capi/%,$(wildcard capi-tests/test_*.c)) \
        $(patsubst capi-tests/%.cpp,$(BUILD)/capi/%,$(wildcard capi-tests/test_*.cpp))
RUST_SRC = $(shell find src -name '*.rs') Cargo.toml build.rs include/zmq.h include/zmq_utils.h

.PHONY: all lib examples perf bench test test-rust test-capi test-ref test-swapin test-install test-demo test-interop test-man test-examples demo ref install uninstall clean

all: lib $(TESTS) examples perf

lib: $(LIBDIR)/$(LIBFILE)

$(LIBDIR)/$(LIBFILE): $(RUST_SRC)
	$(CARGO) build --release --locked
	mkdir -p $(LIBDIR)
	cp target/release/libzmq.so $@.tmp && mv $@.tmp $@
	ln -sf $(LIBFILE) $(LIBDIR)/libzmq.so.1
	ln -sf $(LIBFILE) $(LIBDIR)/libzmq.so
	cp target/release/libzmq.a $(LIBDIR)/libzmq.a

$(BUILD)/capi/%: capi-tests/%.c capi-tests/testutil.h include/zmq.h | lib
	@mkdir -p $(BUILD)/capi
	$(CC) $(CFLAGS_TEST) -o $@ $< -L$(LIBDIR) -lzmq -lpthread

$(BUILD)/capi/test_tcp_%: capi-tests/net_util.h

$(BUILD)/capi/%: capi-tests/%.cpp include/zmq.hpp include/zmq.h | lib
	@mkdir -p $(BUILD)/capi
	$(CXX) -Wall -Wextra -Werror -O1 -g -Iinclude -o $@ $< -L$(LIBDIR) -lzmq -lpthread

ref: $(REFDIR)/lib/libzmq.so.1

$(REFDIR)/lib/libzmq.so.1: scripts/build-ref.sh
	bash scripts/build-ref.sh

test: test-rust test-capi test-ref test-swapin test-install test-demo test-interop test-man test-examples
	@echo "make test: all suites passed"

test-rust:
	$(CARGO) test --release --locked

test-capi: all
	bash scripts/run-capi-tests.sh $(LIBDIR) $(BUILD)/capi ours

test-ref: all ref
	bash scripts/run-capi-tests.sh $(REFDIR)/lib $(BUILD)/capi reference

test-swapin: lib ref
	bash scripts/swapin-test.sh $(LIBDIR) $(REFDIR) $(BUILD)

test-interop: lib ref
	bash scripts/interop-test.sh $(LIBDIR) $(REFDIR)/lib $(BUILD)

test-examples: lib examples ref
	bash scripts/examples-test.sh $(LIBDIR) $(BUILD)/examples $(REFDIR)/lib $(REFDIR)/include

test-man: lib
	bash scripts/man-test.sh doc/man

test-install: lib perf
	bash scripts/install-test.sh

test-demo: lib examples
	bash scripts/demo.sh $(LIBDIR) $(BUILD)/examples 3 2 20 > $(BUILD)/demo.log 2>&1 || (cat $(BUILD)/demo.log; exit 1)
	@tail -n 1 $(BUILD)/demo.log

EXAMPLES = $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))

$(BUILD)/examples/%: examples/%.c examples/zhelpers.h include/zmq.h | lib
	@mkdir -p $(BUILD)/examples
	$(CC) -Wall -Wextra -Werror -O2 -Iinclude -o $@ $< -L$(LIBDIR) -lzmq -lpthread

examples: $(EXAMPLES)

PERF_TOOLS = local_thr remote_thr local_lat remote_lat inproc_thr inproc_lat broker_rt idle_conns
PERF = $(addprefix $(BUILD)/perf/,$(PERF_TOOLS))

$(BUILD)/perf/%: perf/%.c perf/perf.h include/zmq.h include/zmq_utils.h | lib
	@mkdir -p $(BUILD)/perf
	$(CC) -Wall -Wextra -Werror -O2 -Iinclude -o $@ $< -L$(LIBDIR) -lzmq -lpthread

perf: $(PERF)

# Side by side with the reference libzmq 2.2.0; BENCH_ARGS=--quick for a short run.
bench: lib ref examples perf
	python3 bench/run.py $(BENCH_ARGS)

demo: lib examples
	bash scripts/demo.sh $(LIBDIR) $(BUILD)/examples 3 2 5

install: lib perf
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(LIBDIR)/$(LIBFILE) $(DESTDIR)$(PREFIX)/lib/$(LIBFILE)
	ln -sf $(LIBFILE) $(DESTDIR)$(PREFIX)/lib/libzmq.so.1
	ln -sf $(LIBFILE) $(DESTDIR)$(PREFIX)/lib/libzmq.so
	install -m 644 $(LIBDIR)/libzmq.a $(DESTDIR)$(PREFIX)/lib/libzmq.a
	install -m 644 include/zmq.h include/zmq_utils.h include/zmq.hpp $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' pkgconfig/libzmq.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libzmq.pc
	install -d $(DESTDIR)$(PREFIX)/share/libzmq/examples $(DESTDIR)$(PREFIX)/share/libzmq/perf
	install -m 644 examples/*.c examples/*.h examples/README.md $(DESTDIR)$(PREFIX)/share/libzmq/examples/
	install -m 644 perf/*.c perf/perf.h $(DESTDIR)$(PREFIX)/share/libzmq/perf/
	install -m 755 $(PERF) $(DESTDIR)$(PREFIX)/share/libzmq/perf/
	install -d $(DESTDIR)$(PREFIX)/share/man/man3 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 644 $(MAN3) $(DESTDIR)$(PREFIX)/share/man/man3/
	install -m 644 $(MAN7) $(DESTDIR)$(PREFIX)/share/man/man7/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/$(LIBFILE) $(DESTDIR)$(PREFIX)/lib/libzmq.so.1 $(DESTDIR)$(PREFIX)/lib/libzmq.so
	rm -f $(DESTDIR)$(PREFIX)/lib/libzmq.a $(DESTDIR)$(PREFIX)/lib/pkgconfig/libzmq.pc
	rm -f $(DESTDIR)$(PREFIX)/include/zmq.h $(DESTDIR)$(PREFIX)/include/zmq_utils.h $(DESTDIR)$(PREFIX)/include/zmq.hpp
	rm -rf $(DESTDIR)$(PREFIX)/share/libzmq
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man3/,$(notdir $(MAN3)))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man7/,$(notdir $(MAN7)))

clean:
	$(CARGO) clean
	rm -rf $(BUILD)/lib $(BUILD)/capi $(BUILD)/examples $(BUILD)/perf $(BUILD)/interop
