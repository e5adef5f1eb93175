# Common tasks. On a fresh machine `make demo` and `make test` each install what they need.
PYTHON ?= python3

.PHONY: install demo test lint bench bundle screenshots

install:  ## the app, the hub and the dev tools, editable
	$(PYTHON) -m pip install -q --disable-pip-version-check -e '.[dev]'

demo: install  ## a local hub with demo data and the desktop app signed in to it
	cp2desk demo $(DEMO_ARGS)

test: install  ## the whole suite (hub on PostgreSQL too when CP2HUB_TEST_DATABASE_URL is set)
	$(PYTHON) -m pytest -q

lint:
	ruff check .

bench:  ## benchmarks with their workloads (bench/)
	$(PYTHON) -m bench

bundle:  ## the PyInstaller bundle: build/dist/cp2desk/ (work files in build/work/)
	$(PYTHON) -m PyInstaller --noconfirm --distpath build/dist --workpath build/work build/cp2desk.spec

screenshots:  ## every web page at a phone's size, in docs/screenshots/
	$(PYTHON) -m tests.web.screenshots
