# Shortcuts for ./dev.sh (which works without make on a fresh machine).
.PHONY: serve build test bench bench-scale fuzz regen-goldens
serve:
	./dev.sh serve
build:
	./dev.sh build
test:
	./dev.sh test
bench:
	./dev.sh bench --load
# the whole build on a generated archive: make bench-scale DOCS=10000
DOCS ?= 1000
bench-scale:
	./dev.sh shell scripts/bench_scale.py --docs $(DOCS)
# 10,000 mutated inputs per reader and for the citation finder
fuzz:
	./dev.sh shell scripts/fuzz.py --runs 10000
regen-goldens:
	UPDATE_GOLDENS=1 ./dev.sh test tests/test_goldens.py
