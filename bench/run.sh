#!/usr/bin/env bash
# The bench entry point (`make bench` calls it): a virtualenv, wrk, PostgreSQL up, then bench.run.
#   bench/run.sh                      10k leads: ceiling, lead scenarios, CSV import
#   bench/run.sh --sizes 10k,1m       and the 1M reference data set
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import django, gunicorn, psycopg2" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
fi

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk" >&2
  as_root apt-get install -y wrk >/dev/null 2>&1 || { as_root apt-get update >/dev/null && as_root apt-get install -y wrk >/dev/null; }
fi

pg_url="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -d "$pg_url/postgres"; then
  echo "bench: PostgreSQL is not answering on $pg_url; starting it" >&2
  as_root service postgresql start || true
  for _ in $(seq 1 30); do pg_isready -q -d "$pg_url/postgres" && break; sleep 1; done
fi

export BENCH_COMMAND="bench/run.sh${*:+ $*}"
exec .venv/bin/python -m bench.run "$@"
