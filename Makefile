# `make run`: set up and start the kiosk with a demo fair (its logins printed, and kept in instance/).  `make test`: set up and run every test.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
# Loopback unless asked: the demo's accounts are for this machine. `make run HOST=0.0.0.0` for the hall.
HOST ?= 127.0.0.1
PORT ?= 5000
# The address phones reach the kiosk at, printed in QR codes: set it to this machine's LAN address.
export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test test-fast lint setup system-packages translations release docs

# The demo's notification channels point at a local fake of their far ends (scripts/fake_sink.py, on
# loopback: what it received is at http://127.0.0.1:8025/_sink/received), which `demo load` configures
# (kiosk/notifications/demo.py reads these two ports). Beside gunicorn run the fake and the
# notifications' worker, which sends to it; Ctrl-C stops all three (the trap, should gunicorn end alone).
export DEMO_SINK_HTTP_PORT ?= 8025
export DEMO_SINK_SMTP_PORT ?= 8026

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo load
	@$(PY) scripts/fake_sink.py --http-port $(DEMO_SINK_HTTP_PORT) --smtp-port $(DEMO_SINK_SMTP_PORT) & sink=$$!; \
	$(FLASK) notifications work & worker=$$!; \
	trap 'kill $$worker $$sink 2>/dev/null; wait $$worker $$sink' EXIT INT TERM; \
	$(VENV)/bin/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) --access-logfile - wsgi:app

# The whole suite on SQLite and, at the same time, everything but the browser tests on a throwaway
# PostgreSQL: each pytest keeps one core busy, so on two cores the pair takes as long as the longer
# one (measured: 9 min 40 s one after the other). The PostgreSQL run's report follows the SQLite one.
# Tests that start servers of their own use neither run's database, so they run in one run only,
# the PostgreSQL one, which the SQLite run with the browser tests would otherwise outlast (marked
# cluster): the release test (tests/test_release.py: the README's production recipe from a built
# release, on SQLite and on a PostgreSQL of its own) and the scale-out test (tests/test_cluster.py:
# nginx, two app servers, a PostgreSQL of its own, on KIOSK_PG_PORT or its default: not the suite's
# server's port).
test: setup system-packages
	@mkdir -p instance; scripts/with-postgres env -u KIOSK_PG_PORT $(VENV)/bin/pytest -m "not browser and (cluster or not release)" -p no:cacheprovider $(PYTEST_ARGS) \
	  > instance/postgres-tests.log 2>&1 & pg=$$!; \
	$(VENV)/bin/pytest -m "not cluster" $(PYTEST_ARGS); sqlite=$$?; wait $$pg; postgres=$$?; \
	echo "=== the same suite on PostgreSQL (no browser tests; the scale-out and release tests) ==="; cat instance/postgres-tests.log; \
	test $$sqlite = 0 -a $$postgres = 0

# The edit loop: SQLite only, no browser, load or scale-out tests, stop at the first failure.
test-fast: setup
	$(VENV)/bin/pytest -m "not browser and not load and not cluster and not release" -x -q -p no:cacheprovider $(PYTEST_ARGS)

# The release: an sdist and a wheel in dist/, built from `git archive` of HEAD (what is committed,
# nothing else), with the translations compiled and the migrations inside the package (setup.py).
# (DIST and RELEASE_TREE: elsewhere, as tests/test_release.py builds one, leaving the checkout's alone.)
DIST ?= dist
RELEASE_TREE ?= build/release
release: setup
	rm -rf $(RELEASE_TREE) $(DIST) && mkdir -p $(RELEASE_TREE)
	git archive HEAD | tar -x -C $(RELEASE_TREE)
	$(PY) -m build --outdir $(DIST) $(RELEASE_TREE)

# The guides' screenshots, taken anew by chromium from a demo kiosk on a free loopback port (a
# throwaway database and instance folder), into docs/images/; then every link and picture of
# README.md and docs/ checked: a step that no longer works, a broken link or an unused picture fails.
docs: setup system-packages
	$(PY) scripts/docs.py

# ruff, with the rules chosen in pyproject.toml, and the imports' layering (its contracts are in
# pyproject.toml too); CI runs it before the tests.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

setup: $(VENV)/.installed translations

$(VENV)/.installed: pyproject.toml setup.py
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# The English catalog is compiled from its .po at set-up; the .mo is not kept in git. Only when the
# .po is newer: a test that runs `make release` must not rewrite the .mo under the other run of
# make test, which reads it.
MO := kiosk/translations/en/LC_MESSAGES/messages.mo
translations: $(MO)

$(MO): kiosk/translations/en/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d kiosk/translations

# What the tests need from Debian: chromium (Playwright cannot download its own here), a CJK font
# so that screenshots of Chinese pages show characters, a PostgreSQL server to test against,
# Node.js, which fires the load simulation's bursts (bench/burst.mjs), and nginx, which
# scripts/cluster puts in front of two app servers (tests/test_cluster.py); systemd's
# systemd-analyze, which checks the units in deploy/systemd (tests/test_deploy_units.py).
system-packages:
	@command -v chromium >/dev/null && command -v node >/dev/null && fc-list | grep -qi 'wenquanyi\|noto.*cjk' \
	  && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -x /usr/sbin/nginx ] \
	  && command -v systemd-analyze >/dev/null && command -v pg_dump >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-wqy-microhei poppler-utils postgresql postgresql-client python3-venv libpango-1.0-0 libpangoft2-1.0-0 nodejs nginx systemd >/dev/null; }

# Rebuild the catalog template after changing user-facing text, then translate what is new in en.
extract:
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -o kiosk/translations/messages.pot kiosk
	$(VENV)/bin/pybabel update -N -i kiosk/translations/messages.pot -d kiosk/translations
