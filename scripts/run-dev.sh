#!/bin/sh
# `make run`: the task queue's worker beside Flask's development server. Stopping the server
# (Ctrl-C) stops the worker too.
set -u
BIN="${BIN:-.venv/bin}"

"$BIN/flask" --app wsgi bansos worker --workers 2 &
worker=$!

stop_worker() {
    if kill -0 "$worker" 2>/dev/null; then
        kill -TERM "$worker" 2>/dev/null
        wait "$worker" 2>/dev/null
    fi
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$BIN/flask" --app wsgi run --host 127.0.0.1 --port "${PORT:-5000}"
