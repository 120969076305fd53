# Sourced (bash) by handover-demo-guest and handover-experiment-guest, inside the lab kernel: the
# four-node topology of the paper's section 4.1, the link move, the cxt agents and the IKE SA the
# demo imports into them. One copy of each; the scripts differ only in what they do with it.
#
#   MN (HoA 2001:db8:100::10) --- pAR 2001:db8:a::1 ---\        CN 2001:db8:200::5
#      pCoA 2001:db8:a::10           |  2001:db8:ff::/64  +----- sends UDP to the MN
#      nCoA 2001:db8:b::10    --- nAR 2001:db8:b::1 ---/
#
# Needs RUN (a scratch directory) set by the caller. Functions, no side effects when sourced.

HOA=2001:db8:100::10; PCOA=2001:db8:a::10; PAR=2001:db8:a::1; NCOA=2001:db8:b::10; NAR=2001:db8:b::1
CN=2001:db8:200::5
CN_PREFIX=2001:db8:200::/48
LAB_HOME_ADDRESSES=($HOA)   # every HoA the CN reaches through the MN's current router
LAB_COA_IIDS=(10)           # the MN's care-of addresses on either link: prefix::IID; all but the
                            # first deprecated (preferred_lft 0: not picked by movement detection)
LAB_MOVEMENT=${LAB_MOVEMENT:-1}   # 1: the MN's agent detects its moves and sends the CTAR itself
AGENTCTL=tests/lab/agentctl

lab_now() { date +%s.%N; }
lab_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# Namespaces mn, par, nar, cn; links MN-pAR (mp0/mp1), MN-nAR (mn0/mn1), pAR-CN, nAR-CN and the
# router channel pAR-nAR (pn0/pn1). Extra HoAs: LAB_HOME_ADDRESSES before calling.
lab_topology() {
    local ns a l
    for ns in mn par nar cn; do ip netns add $ns; ip -n $ns link set lo up; done
    ip link add mp0 netns mn type veth peer name mp1 netns par
    ip link add mn0 netns mn type veth peer name mn1 netns nar
    ip link add pc0 netns par type veth peer name pc1 netns cn
    ip link add nc0 netns nar type veth peer name nc1 netns cn
    ip link add pn0 netns par type veth peer name pn1 netns nar
    # A veth end that goes down takes its peer's carrier along; when the MN comes back the router's
    # interface would redo DAD on its link-local address and could not resolve the MN for
    # forwarded datagrams for ~1-2 s (tests/lab/README.md, "Link moves in the lab"). A real access
    # router keeps its carrier when one MN leaves: no DAD on the routers' access interfaces.
    ip netns exec par sysctl -q -w net.ipv6.conf.mp1.accept_dad=0
    ip netns exec nar sysctl -q -w net.ipv6.conf.mn1.accept_dad=0
    for a in "${LAB_HOME_ADDRESSES[@]}"; do ip -n mn addr add "$a/128" dev lo nodad; done
    ip -n par addr add $PAR/64 dev mp1 nodad
    ip -n nar addr add $NAR/64 dev mn1 nodad
    ip -n par addr add 2001:db8:f1::1/64 dev pc0 nodad
    ip -n cn addr add 2001:db8:f1::5/64 dev pc1 nodad
    ip -n nar addr add 2001:db8:f2::1/64 dev nc0 nodad
    ip -n cn addr add 2001:db8:f2::5/64 dev nc1 nodad
    ip -n par addr add 2001:db8:ff::1/64 dev pn0 nodad
    ip -n nar addr add 2001:db8:ff::2/64 dev pn1 nodad
    ip -n cn addr add $CN/128 dev lo nodad
    for l in "mn mp0" "par mp1" "nar mn1" "par pc0" "cn pc1" "nar nc0" "cn nc1" "par pn0" "nar pn1"; do
        set -- $l; ip -n "$1" link set "$2" up
    done
    for ns in par nar; do ip netns exec $ns sysctl -q -w net.ipv6.conf.all.forwarding=1; done
    ip -n par route add $CN_PREFIX via 2001:db8:f1::5
    ip -n nar route add $CN_PREFIX via 2001:db8:f2::5
    ip -n par route add 2001:db8:b::/64 via 2001:db8:ff::2     # router channel pAR <-> nAR
    ip -n nar route add 2001:db8:a::/64 via 2001:db8:ff::1
    for a in "${LAB_HOME_ADDRESSES[@]}"; do
        ip -n par route add "$a/128" via $PCOA
        ip -n nar route add "$a/128" via $NCOA
    done
}

# The MN attaches to one router at a time; what Mobile IPv6's binding update does for the CN's
# route is done here by hand. One `ip -batch` per namespace: in the 1-CPU lab kernel each ip
# process costs tens of milliseconds, which would be counted as part of the move.
lab_attach_mn() { # par|nar: the MN's side (old link down, new link up, CoAs, default route)
    local old=mn0 new=mp0 prefix=2001:db8:a router=$PAR iid
    [[ $1 == par ]] || { old=mp0; new=mn0; prefix=2001:db8:b; router=$NAR; }
    {
        printf '%s\n' "link set $old down" "link set $new up"
        echo "addr replace $prefix::${LAB_COA_IIDS[0]}/64 dev $new nodad"
        for iid in "${LAB_COA_IIDS[@]:1}"; do echo "addr replace $prefix::$iid/64 dev $new nodad preferred_lft 0"; done
        echo "route replace default via $router"
    } | ip -n mn -batch -
}
lab_attach_cn() { # par|nar: the CN's routes to the MN's home addresses (the binding update)
    local via=2001:db8:f1::1 a
    [[ $1 == par ]] || via=2001:db8:f2::1
    for a in "${LAB_HOME_ADDRESSES[@]}"; do echo "route replace $a/128 via $via"; done | ip -n cn -batch -
}
lab_attach() { lab_attach_mn "$1"; lab_attach_cn "$1"; }

# The MN-pAR ESP tunnel for HOA and the IKE SA both ends hold, as an IKE daemon would have left
# them (random keys; AES-CBC-256 + HMAC-SHA2-256-128, PRF HMAC-SHA2-256): SAs and policies in the
# kernels of mn and par, and $RUN/ike-mn.json, $RUN/ike-par.json for `ike-import`.
lab_demo_tunnel() {
    local ns enc auth enc2 auth2
    enc=0x$(lab_hex 16); auth=0x$(lab_hex 32); enc2=0x$(lab_hex 16); auth2=0x$(lab_hex 32)
    for ns in mn par; do
        ip -n $ns xfrm state add src $PCOA dst $PAR proto esp spi 0xc0000001 reqid 1 mode tunnel replay-window 32 \
            enc 'cbc(aes)' "$enc" auth-trunc 'hmac(sha256)' "$auth" 128 sel src $HOA/128 dst $CN_PREFIX
        ip -n $ns xfrm state add src $PAR dst $PCOA proto esp spi 0xc1000001 reqid 1 mode tunnel replay-window 32 \
            enc 'cbc(aes)' "$enc2" auth-trunc 'hmac(sha256)' "$auth2" 128 sel src $CN_PREFIX dst $HOA/128
    done
    ip -n mn xfrm policy add src $HOA/128 dst $CN_PREFIX dir out tmpl src $PCOA dst $PAR proto esp reqid 1 mode tunnel
    ip -n mn xfrm policy add src $CN_PREFIX dst $HOA/128 dir in tmpl src $PAR dst $PCOA proto esp reqid 1 mode tunnel
    ip -n par xfrm policy add src $CN_PREFIX dst $HOA/128 dir out tmpl src $PAR dst $PCOA proto esp reqid 1 mode tunnel
    ip -n par xfrm policy add src $HOA/128 dst $CN_PREFIX dir in tmpl src $PCOA dst $PAR proto esp reqid 1 mode tunnel
    ip -n par xfrm policy add src $HOA/128 dst $CN_PREFIX dir fwd tmpl src $PCOA dst $PAR proto esp reqid 1 mode tunnel
    python3 - "$RUN" <<'PY'
import json, os, sys
run = sys.argv[1]
k = lambda n: os.urandom(n).hex()
keys = {n: k(32) for n in ("skD", "skAi", "skAr", "skEi", "skEr", "skPi", "skPr")}
base = {"format": "cxt-ike-sa/1", "initiatorSpi": "0x" + k(8), "responderSpi": "0x" + k(8),
        "algorithms": {"encryption": 12, "encryptionKeyBits": 256, "integrity": 12, "prf": 5, "dhGroup": 19},
        "keys": keys, "lifetime": {"establishedEpochSeconds": 1764259200, "rekeyAfterSeconds": 14400,
                                   "deleteAfterSeconds": 15840}}
psk = b"cxt lab pre-shared key".hex()
mn = dict(base, originalInitiator=True, messageIds={"nextRequestToSend": 2, "nextRequestExpected": 0},
          peer={"identity": {"type": "ID_FQDN", "value": "par.example.org"}, "authMethod": "SHARED_KEY_MIC", "psk": psk},
          childSas=[{"protocol": "ESP", "inboundSpi": "0xc1000001", "outboundSpi": "0xc0000001"}])
par = dict(base, originalInitiator=False, messageIds={"nextRequestToSend": 0, "nextRequestExpected": 2},
           peer={"identity": {"type": "ID_RFC822_ADDR", "value": "mn@example.org"}, "authMethod": "SHARED_KEY_MIC", "psk": psk},
           childSas=[{"protocol": "ESP", "inboundSpi": "0xc0000001", "outboundSpi": "0xc1000001"}])
for name, doc in (("mn", mn), ("par", par)):
    with open(f"{run}/ike-{name}.json", "w") as f:
        json.dump(doc, f, indent=2)
PY
}

# cxagent configurations for mn, par and nar in $RUN (IKE port $1: 500, or 4500 when a charon
# owns port 500 in the same namespaces).
lab_agent_configs() {
    local ike_port=${1:-500}
    mkdir -p "$RUN/keys"; chmod 700 "$RUN/keys"
    [[ -f $RUN/keys/routers.key ]] || { lab_hex 32 > "$RUN/keys/routers.key"; chmod 600 "$RUN/keys/"*; }
    _router_conf() { # name address sender-id prefix peer-name peer-address peer-sender-id
        cat <<EOF
[agent]
role = "access-router"
name = "$1"
control-socket = "$RUN/$1.sock"
state-directory = "$RUN/$1"

[router]
address = "$2"
mobile-transport = "icmp"
mobile-prefix = "$4"
sender-id = $3
sad-lookup = "spi-dst"
token-key-source = "ike"            # the CTAR token key is derived from the MN's IKE SA

[[peer]]
name = "$5"
address = "$6"
transport = "udp"
sender-id = $7
key-file = "$RUN/keys/routers.key"

[ike]
port = $ike_port
EOF
    }
    _router_conf par $PAR 1 2001:db8:a::/64 nar $NAR 2 > "$RUN/par.conf"
    _router_conf nar $NAR 2 2001:db8:b::/64 par $PAR 1 > "$RUN/nar.conf"
    cat > "$RUN/mn.conf" <<EOF
[agent]
role = "mobile-node"
name = "mn"
control-socket = "$RUN/mn.sock"
state-directory = "$RUN/mn"

[mobile]
home-address = "$HOA"
care-of-address = "$PCOA"
access-router = "$PAR"
token-key-source = "ike"
transport = "icmp"

[ike]
port = $ike_port
EOF
    if ((LAB_MOVEMENT)); then
        cat >> "$RUN/mn.conf" <<EOF

[mobile.movement]                   # the MN sends its CTAR when it attaches (docs/agent.md)
interfaces = ["mp0", "mn0"]
router = "configured"
debounce = "20ms"
routers = { "2001:db8:a::/64" = "$PAR", "2001:db8:b::/64" = "$NAR" }
EOF
    fi
}

# Waits for the MN agent's movement-activated (or -failed) event after epoch time $1 (up to $2
# seconds) and prints its JSON; status 1 when none came.
lab_wait_movement() { # after-epoch timeout-s
    python3 - "$RUN/mn.sock" "$1" "${2:-30}" <<'PY'
import calendar, json, socket, sys, time
def epoch(iso):  # 2026-12-02T16:42:47.913323591Z -> seconds since the epoch
    base, _, frac = iso.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S")) + float("0." + (frac or "0"))
path, after, limit = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
def events():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    s.sendall(b'{"command":"events","arguments":{}}\n')
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        data += chunk
    return json.loads(data).get("result") or []
deadline = time.time() + limit
while time.time() < deadline:
    try:
        got = events()
    except (OSError, ValueError) as e:  # an agent that does not answer: try again until the limit
        print(f"lab_wait_movement: mn control socket: {e}", file=sys.stderr)
        got = []
    for e in got:
        if e["kind"] in ("movement-activated", "movement-failed"):
            if epoch(e["time"]) > after:
                print(json.dumps(e))
                sys.exit(0 if e["kind"] == "movement-activated" else 1)
    time.sleep(0.3)
sys.exit(1)
PY
}

# Waits until the agent in namespace $1 lists a context in state $2 (HELD, ACTIVE...) within $3
# seconds: one python process polling the control socket, not one process start per check (each
# costs up to seconds in the 1-CPU lab kernel, which made a 100-try loop look like a hang). Prints
# the last contexts seen; status 1 on timeout.
lab_wait_context() { # ns state timeout-s
    python3 - "$RUN/$1.sock" "$2" "${3:-30}" <<'PY'
import json, socket, sys, time
path, state, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
def contexts():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    s.sendall(b'{"command":"contexts","arguments":{}}\n')
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        data += chunk
    return json.loads(data).get("result") or []
deadline, seen = time.time() + limit, "no answer"
while time.time() < deadline:
    try:
        got = contexts()
        seen = json.dumps(got)
        if any(c.get("state") == state for c in got):
            print(seen)
            sys.exit(0)
    except (OSError, ValueError) as e:
        seen = f"control socket: {e}"
    time.sleep(0.2)
print(seen)
sys.exit(1)
PY
}

# The last $2 (default 8) event lines of the agent in namespace $1, from its log (for a failure message).
lab_agent_events() { # ns [lines]
    grep -E ' io\.cxt\.agent\.events: | WARN | ERROR ' "$RUN/$1.log" 2>/dev/null | tail -n "${2:-8}" | cut -c1-400 | sed "s/^/  $1: /"
}

# Starts cxagent in mn, par and nar and waits until each answers on its control socket.
lab_start_agents() {
    local ns
    export CXAGENT_JAVA_OPTS=${CXAGENT_JAVA_OPTS:-"-Xmx192m -Xshare:auto -XX:+UseSerialGC"}
    for ns in mn par nar; do
        ip netns exec $ns bin/cxagent --config "$RUN/$ns.conf" >> "$RUN/$ns.log" 2>&1 &
        echo $! > "$RUN/$ns.pid"
    done
    for ns in mn par nar; do
        for _ in $(seq 1 600); do
            $AGENTCTL "$RUN/$ns.sock" status > /dev/null 2>&1 && break
            kill -0 "$(cat "$RUN/$ns.pid")" 2>/dev/null || break   # it exited: say so now, not after 600 tries
            sleep 0.1
        done
        $AGENTCTL "$RUN/$ns.sock" status > /dev/null || { echo "cxagent $ns did not start:" >&2; cat "$RUN/$ns.log" >&2; return 1; }
    done
}
lab_stop_agents() {
    local ns pid
    for ns in mn par nar; do
        [[ -f $RUN/$ns.pid ]] || continue
        pid=$(cat "$RUN/$ns.pid"); rm -f "$RUN/$ns.pid"
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}
# The IKE SA of lab_demo_tunnel into the MN's and the pAR's agents (the demo's way).
lab_import_demo_ike() {
    $AGENTCTL "$RUN/mn.sock" ike-import json="$(cat "$RUN/ike-mn.json")" > /dev/null
    $AGENTCTL "$RUN/par.sock" ike-import mn=$PCOA json="$(cat "$RUN/ike-par.json")" > /dev/null
}
