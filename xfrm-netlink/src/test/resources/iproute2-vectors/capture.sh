#!/bin/bash
# Regenerates one iproute2 test vector: runs `ip -n NS xfrm ARGS...` under strace in a scratch
# network namespace and writes the netlink payload it sent (after the 16-octet nlmsghdr) as hex.
#   usage: capture.sh NAME xfrm state add ...     (writes NAME.vec beside this script)
# The command may fail in the kernel (no ESP on the host): the request bytes are what matter.
set -euo pipefail
name=$1; shift
dir=$(cd "$(dirname "$0")" && pwd)
ns=cxt-cap-$$
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
trace=$(mktemp)
strace -f -e trace=sendmsg,sendto -xx -s 65535 -o "$trace" ip -n "$ns" "$@" >/dev/null 2>&1 || true
python3 - "$trace" "$dir/$name.vec" "$(printf "%q " ip "$@")" <<'PY'
import re, sys
trace, out, cmd = sys.argv[1:4]
msgs = []
for line in open(trace):
    m = re.search(r'nlmsg_type=(0x[0-9a-f]+|\w+).*?nlmsg_flags=([^,]+),.*?\}, "((?:\\x[0-9a-f]{2})*)"', line)
    if m:
        msgs.append((m.group(1), m.group(2), m.group(3).replace('\\x', '')))
if len(msgs) != 1:
    sys.exit(f"expected one netlink request, found {len(msgs)}")
t, f, payload = msgs[0]
with open(out, 'w') as o:
    o.write(f"# command: {cmd}\n# iproute2 6.1, captured with strace; payload = netlink message after nlmsghdr\n")
    o.write(f"type {t}\nflags {f}\n")
    for i in range(0, len(payload), 64):
        o.write(payload[i:i+64] + "\n")
PY
rm -f "$trace"
cat "$dir/$name.vec"
