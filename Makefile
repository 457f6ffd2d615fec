# Newcomer commands: `make run` (portal with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: install run test check lint format migrations demo messages bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Create the venv, migrate, load geography and the 苗栗 and 雲林 demo (idempotent), and serve on http://$(HOST)/
## with the background task worker beside the server (large imports and recomputes run there); Ctrl-C stops both.
run: demo
	DEBUG=1 $(BIN)/python manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

# The demo and the developer commands run on the development key, which the settings allow only with DEBUG on.
demo messages: export DEBUG = 1
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	DEBUG=1 $(BIN)/python manage.py seed_demo

## The whole test suite: SQLite by default, PostgreSQL when DATABASE_URL is set.
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

## Lint, formatting, migrations in step with models, and the deployment checklist with production-like settings.
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 DATABASE_URL=sqlite:////tmp/portal-makemigrations-check.sqlite3 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY='check-deploy-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP' \
	  ALLOWED_HOSTS=portal.example.gov.tw SECURE_SSL_REDIRECT=1 SECURE_HSTS_SECONDS=31536000 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Regenerate the English catalogue from the marked strings and compile it (needs GNU gettext: xgettext,
## msgfmt); then translate every new entry in locale/en/LC_MESSAGES/django.po and run it again to compile.
## The ignores are those of tests/core/test_translations.py, which fails when the catalogue falls behind.
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore=media
messages: install
	$(BIN)/python manage.py makemessages -l en --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py makemessages -l en -d djangojs --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages -l en $(MESSAGES_IGNORE)

## Measure every staff page, the imports, a year's recompute, a round's results and the list under gunicorn
## against PostgreSQL with the national data set (seeded on first use); exits non-zero when a budget of
## issue 15 is broken. BENCH_ARGS="--only pages --quick" to iterate; see bench/run.py.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/run.py $(BENCH_ARGS)
