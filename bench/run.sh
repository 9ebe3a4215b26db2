#!/usr/bin/env bash
# The bench entry point (`make bench` calls it): the virtualenv, wrk, PostgreSQL up, then bench.run.
#   bench/run.sh                      10k leads: ceiling, lead scenarios, CSV import
#   bench/run.sh --sizes 10k,1m       and the 1M reference data set
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# The virtualenv: the project's own setup (pinned) when it is there, else a plain install.
if [[ -x bin/setup ]]; then
  bin/setup
elif ! { [[ -x .venv/bin/python ]] && .venv/bin/python -c "import django, gunicorn, psycopg2" 2>/dev/null; }; then
  [[ -x .venv/bin/python ]] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet -e ".[dev]"
fi
.venv/bin/python -c "import django, gunicorn, psycopg2" || { echo "bench: .venv lacks django/gunicorn/psycopg2" >&2; exit 1; }

# The load tool.
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -qq wrk >/dev/null 2>&1 || { as_root apt-get update -qq && as_root apt-get install -y -qq wrk >/dev/null; }
fi

# PostgreSQL on 127.0.0.1:5432 (BENCH_PG_URL to point elsewhere).
if [[ -z "${BENCH_PG_URL:-}" ]] && command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [[ -n "$version" ]]; then
    echo "bench: starting PostgreSQL $version ..." >&2
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi

export BENCH_COMMAND="bench/run.sh${*:+ $*}"
exec .venv/bin/python -m bench.run "$@"
