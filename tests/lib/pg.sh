#!/bin/sh
# A throwaway PostgreSQL 15 for the tests, from Debian's packages: a cluster
# made with initdb in a temporary folder, listening only on a Unix socket in
# that folder (no TCP port), with one database, `tessera`.
#
#   tests/lib/pg.sh run CMD [ARG...]
#       starts a cluster, runs CMD with TESSERA_TEST_PG_URL set to the URL
#       of its database, then stops the cluster and removes its folder
#       (also when CMD fails or the script is interrupted); exits with
#       CMD's status.
#   tests/lib/pg.sh start        starts one and prints its folder, then
#   tests/lib/pg.sh url DIR      prints its URL, and
#   tests/lib/pg.sh stop DIR     stops it and removes the folder.
#
# PostgreSQL refuses to run as root: as root, the cluster belongs to and
# runs as `nobody` (PG_USER overrides it); otherwise as the caller.
set -eu

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_USER=${PG_USER:-nobody}

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid="$PG_USER" --regid="$(id -g "$PG_USER")" --clear-groups \
			--reset-env "$@"
	else
		"$@"
	fi
}

url() {
	echo "postgresql://tessera@/tessera?host=$1"
}

start() {
	dir=$(mktemp -d /tmp/tessera-pg-XXXXXX)
	chmod 755 "$dir"
	if [ "$(id -u)" = 0 ]; then
		chown "$PG_USER" "$dir"
	fi
	as_owner "$PG_BIN/initdb" -D "$dir/data" -U tessera --auth=trust --no-sync \
		-E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		rm -rf "$dir"
		return 1
	}
	# Durability is not under test: no fsync. Room for the connections of
	# several servers at once.
	cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
CONF
	if ! as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
		>/dev/null; then
		cat "$dir/server.log" >&2
		rm -rf "$dir"
		return 1
	fi
	as_owner "$PG_BIN/createdb" -h "$dir" -U tessera tessera
	echo "$dir"
}

stop() {
	dir=$1
	case "$dir" in
	/tmp/tessera-pg-*) ;;
	*) echo "pg.sh: not a folder this script made: $dir" >&2; return 1 ;;
	esac
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
start) start ;;
url) url "$1" ;;
stop) stop "$1" ;;
run)
	dir=$(start)
	trap 'stop "$dir"' EXIT
	trap 'exit 130' INT TERM
	status=0
	TESSERA_TEST_PG_URL=$(url "$dir") "$@" || status=$?
	exit $status
	;;
*)
	echo "usage: tests/lib/pg.sh run CMD [ARG...] | start | url DIR | stop DIR" >&2
	exit 2
	;;
esac
