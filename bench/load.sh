#!/usr/bin/env bash
# The load test (python -m bench.load): the virtualenv, locust from the `bench` extra, PostgreSQL up.
#   bench/load.sh                      70 users on the 1M reference set for 5 minutes
#   bench/load.sh --small --duration 10 --ceiling-duration 5 --sdrs 1 --aes 1 --managers 1
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -x bin/setup ]]; then
  bin/setup
fi
.venv/bin/python -c "import django, gunicorn, psycopg2" || { echo "load: .venv lacks django/gunicorn/psycopg2" >&2; exit 1; }

# The load tool: pyproject.toml's `bench` extra, kept out of requirements.lock and the test suite.
if ! .venv/bin/python -c "import locust" 2>/dev/null; then
  echo "load: installing locust into .venv ..." >&2
  spec=$(.venv/bin/python -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["bench"]))')
  # shellcheck disable=SC2086
  .venv/bin/python -m pip install --quiet $spec 2>&1 | grep -v "is ignored: it is neither" || true
  .venv/bin/python -c "import locust" || { echo "load: installing locust failed" >&2; exit 1; }
fi

if [[ -z "${BENCH_PG_URL:-}" ]] && command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "load: PostgreSQL is not answering on 127.0.0.1:5432 (bench/run.sh starts it)" >&2
  exit 1
fi

export BENCH_COMMAND="bench/load.sh${*:+ $*}"
exec .venv/bin/python -m bench.load "$@"
