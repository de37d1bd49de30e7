#!/usr/bin/env bash
# Essai de la restauration à un instant donné (PITR) de PostgreSQL, décrite dans docs/exploitation.md,
# sur une grappe jetable (port 5499, dossier temporaire) : archivage des WAL, sauvegarde de base,
# une « erreur » après l'instant T, restauration jusqu'à T, vérification. À lancer en root (les
# commandes PostgreSQL tournent sous l'utilisateur postgres). N'affecte pas le serveur PostgreSQL en place.
set -euo pipefail
B=${PG_BIN:-/usr/lib/postgresql/15/bin}
D=$(mktemp -d /tmp/senacs-pitr-XXXXXX)
chown postgres "$D"
pg() { runuser -u postgres -- "$@"; }
sql() { pg "$B/psql" -h 127.0.0.1 -p 5499 -U postgres -d "${2:-senacs}" -v ON_ERROR_STOP=1 -qAtc "$1"; }
trap 'pg "$B/pg_ctl" -D "$D/donnees" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$D"' EXIT

pg mkdir "$D/wal"
pg "$B/initdb" -D "$D/donnees" -A trust -U postgres >/dev/null
cat >>"$D/donnees/postgresql.conf" <<CONF
port = 5499
listen_addresses = '127.0.0.1'
unix_socket_directories = '$D'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $D/wal/%f && cp %p $D/wal/%f'
CONF
pg "$B/pg_ctl" -D "$D/donnees" -l "$D/journal.log" -w start >/dev/null
sql "CREATE DATABASE senacs" postgres
sql "CREATE TABLE reponse (id int primary key, valeur text); INSERT INTO reponse VALUES (1, 'avant la sauvegarde')"

# 1. Sauvegarde de base (chaque nuit en production).
pg "$B/pg_basebackup" -h 127.0.0.1 -p 5499 -U postgres -D "$D/base" --checkpoint=fast --wal-method=stream

sql "INSERT INTO reponse VALUES (2, 'après la sauvegarde, avant T')"
sleep 1
T=$(sql "SELECT now()")
sleep 1
sql "DELETE FROM reponse"   # l'erreur à annuler
sql "SELECT pg_switch_wal()" >/dev/null
sleep 2
pg "$B/pg_ctl" -D "$D/donnees" -m fast -w stop >/dev/null

# 2. Restauration jusqu'à T : la sauvegarde de base, puis les WAL archivés rejoués jusqu'à T.
mv "$D/donnees" "$D/donnees.perdue"
pg cp -a "$D/base" "$D/donnees"
cat >>"$D/donnees/postgresql.conf" <<CONF
restore_command = 'cp $D/wal/%f %p'
recovery_target_time = '$T'
recovery_target_action = 'promote'
archive_mode = off
CONF
pg touch "$D/donnees/recovery.signal"
pg "$B/pg_ctl" -D "$D/donnees" -l "$D/journal-restauration.log" -w start >/dev/null
for _ in $(seq 1 30); do [ "$(sql "SELECT pg_is_in_recovery()" postgres)" = "f" ] && break; sleep 1; done

LIGNES=$(sql "SELECT string_agg(id || ':' || valeur, ' | ' ORDER BY id) FROM reponse")
echo "Restauré jusqu'à $T : $LIGNES"
[ "$LIGNES" = "1:avant la sauvegarde | 2:après la sauvegarde, avant T" ] && echo "pitr=ok"
