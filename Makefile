.PHONY: run test test-services lint bench lock

run:            ## the app with demo data: web, Celery worker and beat (SQLite, embedded broker)
	bin/run

test:           ## the whole suite (SQLite, in-process broker, headless Chromium)
	bin/test

test-services:  ## the suite on PostgreSQL + Redis with a real Celery worker and SMTP server
	bin/test-services

lint:
	bin/setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	DEBUG=1 .venv/bin/python manage.py makemigrations --check --dry-run

bench:          ## the benchmark harness (PostgreSQL, gunicorn, wrk): figures in bench/RESULTS.md
	bench/run.sh

lock:           ## re-pin dependencies after editing pyproject.toml
	.venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
