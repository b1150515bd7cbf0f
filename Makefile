# make run   — install what is missing, migrate the SQLite database in instance/, load the
#              demo once, print the demo accounts, serve http://127.0.0.1:5000
# make test  — the same bootstrap, the layer contracts (import-linter), then the whole suite
#              on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set
# make bench — the benchmark table (figures and ratios)
# make translations — extract the web's texts and update the English catalog
#              (docs/translations.md); the catalog is compiled when the app starts
VENV  ?= .venv
PY    := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app web
PYTEST_ARGS ?= -n 2

.PHONY: run test bench translations bootstrap-run bootstrap-test bootstrap-bench

bootstrap-run:
	@scripts/bootstrap.sh run

bootstrap-test:
	@scripts/bootstrap.sh test

bootstrap-bench:
	@scripts/bootstrap.sh bench

run: bootstrap-run
	$(PY) -m web.localconfig instance
	$(FLASK) init-db
	$(FLASK) demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: bootstrap-test
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

bench: bootstrap-bench
	$(PY) -m bench

translations: bootstrap-test
	$(VENV)/bin/pybabel extract -F babel.cfg -o web/translations/messages.pot \
	  --add-location=file --sort-output --no-wrap \
	  --project=wuye-procedures --copyright-holder=wuye-procedures .
	$(VENV)/bin/pybabel update -i web/translations/messages.pot -d web/translations \
	  --no-wrap --no-fuzzy-matching --ignore-obsolete
