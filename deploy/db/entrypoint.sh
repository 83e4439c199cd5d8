#!/bin/sh
# Starts PostgreSQL 15 in the foreground. On the first start (an empty
# $PGDATA) it makes the cluster, the role POSTGRES_USER with
# POSTGRES_PASSWORD and the database POSTGRES_DB, and lets that role in
# from any address with a password (scram-sha-256).
set -eu
bin=/usr/lib/postgresql/15/bin
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
if [ -z "${POSTGRES_PASSWORD:-}" ]; then
	echo "tessera-db: set POSTGRES_PASSWORD" >&2
	exit 1
fi
mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"

as_pg() { runuser -u postgres -- "$@"; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	pwfile=$(mktemp)
	printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
	chown postgres "$pwfile"
	as_pg "$bin/initdb" -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" \
		--auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
	rm -f "$pwfile"
	echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
	echo "host all all 0.0.0.0/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
	echo "host all all ::/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
	if [ "$POSTGRES_DB" != postgres ]; then
		as_pg "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
		as_pg "$bin/psql" -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -q \
			-c "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\""
		as_pg "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
	fi
fi
exec runuser -u postgres -- "$bin/postgres" -D "$PGDATA"
