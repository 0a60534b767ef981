# The two commands: `make run` sets everything up and serves the portal; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Local values for `make run` (production reads them from the environment instead).
LOCAL_SECRET := .local-secret-key
RUN_ENV = SECRET_KEY="$$(cat $(LOCAL_SECRET))" ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1,$(HOST)}" HTTPS="$${HTTPS:-0}"
TEST_ENV = SECRET_KEY=test-only-secret-key-not-for-production ALLOWED_HOSTS=localhost,127.0.0.1,testserver DEBUG=0 HTTPS=0

.PHONY: run test lint fmt install messages

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

$(LOCAL_SECRET):
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

run: $(VENV)/.installed $(LOCAL_SECRET)
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(RUN_ENV) $(PY) manage.py load_programme
	$(RUN_ENV) $(PY) manage.py ensure_organiser
	@echo "Serving on http://$(HOST):$(PORT)/ ; the organising committee logs in at http://$(HOST):$(PORT)/admin/"
	@echo "The PDF worker (manage.py db_worker) runs beside gunicorn (Procfile); Ctrl-C stops both."
	$(RUN_ENV) HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/honcho start --no-colour --procfile Procfile --env /dev/null

test: $(VENV)/.installed
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt: $(VENV)/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Extract and compile the translation catalogues (needs GNU gettext; the compiled .mo files are committed).
messages: $(VENV)/.installed
	$(TEST_ENV) $(PY) manage.py makemessages --all --ignore=.venv --ignore=staticfiles
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore=.venv
