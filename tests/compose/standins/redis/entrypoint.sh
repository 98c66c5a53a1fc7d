#!/bin/sh
# `redis-server ARGS...` runs Debian's redis-server with protected mode off,
# like the registry image; anything else (redis-cli ...) runs as given.
set -e
if [ "$1" = redis-server ]; then
	shift
	exec redis-server --protected-mode no "$@"
fi
exec "$@"
