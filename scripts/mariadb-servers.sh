# Sourced by scripts/test.sh and scripts/bench.sh (not run on its own): starts throwaway MariaDB servers as plain
# processes on 127.0.0.1, each in its own directory under a caller-owned temp dir, on free ports (never 3306), with
# a `scai` user (password `scai`) that may create databases. Debian packages: mariadb-server, galera-4, mariadb-backup.
#   mariadb_start DIR          one server; sets MARIADB_PORT
#   galera_start DIR           a two-node Galera cluster (node 1 bootstraps with --wsrep-new-cluster, node 2 joins by
#                              mariabackup state transfer; rsync SST fails as root); sets GALERA1_PORT, GALERA2_PORT
#   mariadb_stop_all           stops every server these functions started (by pid), e.g. from an EXIT trap
# Both need `say` and `port_in_use` from the caller.

MARIADB_PIDS=()

MARIADB_TAKEN=" "
# mariadb_free_port VAR FROM: sets VAR to the first free port from FROM not handed out before (not yet bound).
mariadb_free_port() {
    local -n _mfp_out=$1
    local _mfp=$2
    while port_in_use "$_mfp" || [[ $MARIADB_TAKEN == *" $_mfp "* ]]; do _mfp=$((_mfp + 1)); done
    MARIADB_TAKEN+="$_mfp "
    _mfp_out=$_mfp
}

# mariadb_write_cnf DIR PORT [extra lines...]: the server's only option file (no /etc/mysql includes).
mariadb_write_cnf() {
    local dir=$1 port=$2; shift 2
    {
        echo "[mariadbd]"
        echo "datadir=$dir/data"
        echo "socket=$dir/mariadb.sock"
        echo "pid-file=$dir/mariadb.pid"
        echo "log-error=$dir/error.log"
        echo "port=$port"
        echo "bind-address=127.0.0.1"
        echo "user=root"
        echo "skip-name-resolve"
        echo "character-set-server=utf8mb4"
        echo "collation-server=utf8mb4_bin"
        echo "default-storage-engine=InnoDB"
        echo "max_connections=400"
        echo "innodb_buffer_pool_size=96M"
        echo "innodb_log_file_size=48M"
        echo "innodb_flush_log_at_trx_commit=2"
        echo "sync_binlog=0"
        echo "innodb_lock_wait_timeout=20"
        printf '%s\n' "$@"
        echo "[client]"
        echo "socket=$dir/mariadb.sock"
        echo "user=root"
    } >"$dir/my.cnf"
}

mariadb_install() {   # mariadb_install DIR: an empty data directory with the system tables
    local dir=$1
    mkdir -p "$dir/data"
    mariadb-install-db --defaults-file="$dir/my.cnf" --datadir="$dir/data" --user=root --skip-test-db \
        --auth-root-authentication-method=socket >"$dir/install.log" 2>&1 \
        || { cat "$dir/install.log"; say "mariadb-install-db failed in $dir"; return 1; }
}

mariadb_launch() {   # mariadb_launch DIR [mariadbd args...]: starts mariadbd in the background
    local dir=$1; shift
    (cd "$dir" && exec mariadbd --defaults-file="$dir/my.cnf" "$@" </dev/null >>"$dir/stdout.log" 2>&1) &
    MARIADB_PIDS+=($!)
}

mariadb_wait() {   # mariadb_wait DIR SECONDS: until the server answers on its socket
    local dir=$1 limit=$2 i
    for ((i = 0; i < limit * 4; i++)); do
        if mariadb-admin --defaults-file="$dir/my.cnf" --connect-timeout=1 ping >/dev/null 2>&1; then return 0; fi
        sleep 0.25
    done
    tail -n 40 "$dir/error.log" 2>/dev/null
    say "MariaDB in $dir did not start within ${limit}s"
    return 1
}

mariadb_sql() { local dir=$1; shift; mariadb --defaults-file="$dir/my.cnf" -N -B -e "$*"; }

mariadb_create_user() {
    mariadb_sql "$1" "CREATE USER IF NOT EXISTS 'scai'@'%' IDENTIFIED BY 'scai'; GRANT ALL PRIVILEGES ON *.* TO 'scai'@'%' WITH GRANT OPTION; FLUSH PRIVILEGES;"
}

mariadb_start() {
    local dir=$1
    mkdir -p "$dir"
    mariadb_free_port MARIADB_PORT 53306
    mariadb_write_cnf "$dir" "$MARIADB_PORT" "skip-log-bin"
    mariadb_install "$dir" || return 1
    mariadb_launch "$dir"
    mariadb_wait "$dir" 60 || return 1
    mariadb_create_user "$dir"
}

galera_start() {
    local dir=$1 n
    local -a port=() gcomm=() ist=() sst=()
    local fp
    for n in 1 2; do
        mariadb_free_port fp 53406; port[n]=$fp
        mariadb_free_port fp 54567; gcomm[n]=$fp
        mariadb_free_port fp 54667; ist[n]=$fp
        mariadb_free_port fp 54767; sst[n]=$fp
    done
    for n in 1 2; do
        mkdir -p "$dir/node$n"
        mariadb_write_cnf "$dir/node$n" "${port[n]}" \
            "log-bin=$dir/node$n/binlog" "binlog_format=ROW" "innodb_autoinc_lock_mode=2" \
            "wsrep_on=ON" "wsrep_provider=/usr/lib/galera/libgalera_smm.so" "wsrep_sync_wait=1" \
            "wsrep_cluster_name=scai-test" "wsrep_node_name=node$n" \
            "wsrep_cluster_address=gcomm://127.0.0.1:${gcomm[1]},127.0.0.1:${gcomm[2]}" \
            "wsrep_node_address=127.0.0.1:${gcomm[n]}" \
            "wsrep_provider_options=gmcast.listen_addr=tcp://127.0.0.1:${gcomm[n]};ist.recv_addr=127.0.0.1:${ist[n]};gcache.size=64M;pc.wait_prim_timeout=PT30S" \
            "wsrep_sst_method=mariabackup" "wsrep_sst_receive_address=127.0.0.1:${sst[n]}" "wsrep_sst_auth=root:"
        mariadb_install "$dir/node$n" || return 1
    done
    mariadb_launch "$dir/node1" --wsrep-new-cluster
    mariadb_wait "$dir/node1" 60 || return 1
    mariadb_create_user "$dir/node1"
    mariadb_launch "$dir/node2"
    mariadb_wait "$dir/node2" 120 || { tail -n 40 "$dir/node1/error.log"; return 1; }
    local size= i
    for ((i = 0; i < 240; i++)); do
        size=$(mariadb_sql "$dir/node2" "SHOW STATUS LIKE 'wsrep_cluster_size'" 2>/dev/null | awk '{print $2}')
        [[ $size == 2 && $(mariadb_sql "$dir/node2" "SHOW STATUS LIKE 'wsrep_ready'" 2>/dev/null | awk '{print $2}') == ON ]] && break
        sleep 0.25
    done
    [[ $size == 2 ]] || { tail -n 40 "$dir/node2/error.log"; say "Galera cluster size is '$size', not 2"; return 1; }
    GALERA1_PORT=${port[1]} GALERA2_PORT=${port[2]}
}

mariadb_stop_all() {   # by the pids these functions started (never by name: other runs may have servers too)
    local pid
    for pid in "${MARIADB_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for pid in "${MARIADB_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    MARIADB_PIDS=()
}
