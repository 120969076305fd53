# Sourced (bash) by lab scripts that run strongSwan's charon in network namespaces of the lab
# kernel (strongswan-capture, handover-experiment-guest). Functions only.
#
# charon always writes /run/charon.pid, so each one gets its own tmpfs on /run (ip netns exec
# gives it a mount namespace of its own), its own strongswan.conf (explicit plugin list, no routes)
# and its VICI socket and file log in its directory, outside /run.

CHARON=${CHARON:-/usr/lib/ipsec/charon}

# charon_start NS DIR SETTINGS [PLUGINS]: SETTINGS is strongswan.conf text placed inside `charon { }`
# (at least `load = ...`), PLUGINS text inside its `plugins { }` (beside vici). Log: DIR/charon.log;
# VICI: DIR/charon.vici. Records the pid in DIR/pid.
charon_start() {
    local ns=$1 dir=$2 settings=$3 plugins=${4:-} _
    mkdir -p "$dir"
    rm -f "$dir/charon.vici"
    cat >"$dir/strongswan.conf" <<EOF
charon {
    install_routes = no
$settings
    plugins {
        vici {
            socket = unix://$dir/charon.vici
        }
$plugins
    }
    syslog {
        daemon {
            default = -1
        }
    }
}
EOF
    ip netns exec "$ns" sh -c "mount -t tmpfs tmpfs /run && STRONGSWAN_CONF=$dir/strongswan.conf exec $CHARON" \
        >"$dir/charon.out" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 200); do
        [[ -S $dir/charon.vici ]] && return 0
        sleep 0.1
    done
    echo "charon in $ns did not open its VICI socket:" >&2
    cat "$dir/charon.out" "$dir/charon.log" >&2 2>/dev/null || true
    return 1
}

charon_stop() { # DIR
    local pid
    [[ -f $1/pid ]] || return 0
    pid=$(cat "$1/pid"); rm -f "$1/pid"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# charon_swanctl DIR ARGS...: swanctl against that charon; its complaints about plugins it cannot
# load are dropped, anything else goes to stderr with a non-zero status.
charon_swanctl() {
    local dir=$1
    shift
    if ! swanctl "$@" --uri "unix://$dir/charon.vici" 2>"$dir/swanctl.err"; then
        echo "swanctl $* failed ($dir):" >&2
        grep -v "^plugin '" "$dir/swanctl.err" >&2
        return 1
    fi
}
