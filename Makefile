# Shortcuts for ./dev.sh (which works without make on a fresh machine).
.PHONY: serve build test bench fuzz regen-goldens
serve:
	./dev.sh serve
build:
	./dev.sh build
test:
	./dev.sh test
bench:
	./dev.sh bench
regen-goldens:
	UPDATE_GOLDENS=1 ./dev.sh test tests/test_goldens.py
