#!/usr/bin/env python3
"""Regenerates the iproute2 test vectors in this folder.

For each vector: runs `ip -n NS xfrm ...` under strace in a fresh network namespace
(lo is ifindex 1 there) and keeps the netlink payload (after the 16-octet nlmsghdr) of
the request that went to the NETLINK_XFRM socket. Needs root, strace and iproute2.
Usage: capture-policy-vectors.py  (rewrites every *.vec named in VECTORS)
"""
import os
import re
import subprocess
import sys

VECTORS = {
    "policy-add-v4-tcp-tunnel": "xfrm policy add src 10.0.0.0/24 dst 10.1.0.0/24 proto tcp sport 80 dport 443 dev lo dir out priority 100 index 0x1001 mark 0x5 mask 0xff if_id 7 tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 5 level required",
    "policy-add-v4-udp-sub-use": "xfrm policy add src 10.0.0.1/32 dst 10.0.0.2/32 proto udp sport 500 dport 4500 dir in ptype sub priority 50 tmpl src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel reqid 6 level use",
    "policy-add-v4-icmp-block": "xfrm policy add src 10.2.0.0/16 dst 10.3.0.0/16 proto icmp type 8 code 0 dir fwd action block priority 10",
    "policy-add-v4-limits-flags": "xfrm policy add src 10.4.0.0/16 dst 10.5.0.0/16 dir out flag localok flag icmp limit time-soft 60 limit time-hard 120 limit time-use-soft 30 limit time-use-hard 90 limit byte-soft 1000 limit byte-hard 2000 limit packet-soft 10 limit packet-hard 20 tmpl src 192.0.2.1 dst 192.0.2.9 proto ah spi 0x100 mode tunnel reqid 2",
    "policy-add-v4-ctx-all-attrs": "xfrm policy add src 10.6.0.0/16 dst 10.7.0.0/16 dir out ptype sub ctx system_u:object_r:ipsec_spd_t:s0 mark 1 if_id 2 tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel",
    "policy-add-v6-tcp-transport": "xfrm policy add src 2001:db8:1::/64 dst 2001:db8:2::/64 proto tcp sport 22 dport 2222 dev lo dir out priority 300 mark 0x10 mask 0xf0 if_id 0x42 tmpl proto esp mode transport reqid 11 level required",
    "policy-add-v6-icmp-sub-block": "xfrm policy add src 2001:db8:3::1/128 dst 2001:db8:4::1/128 proto ipv6-icmp type 135 code 0 dir in ptype sub action block",
    "policy-add-v6-udp-two-tmpl": "xfrm policy add src 2001:db8:7::/48 dst 2001:db8:8::/48 proto udp dport 53 dir fwd priority 7 tmpl src 2001:db8::a dst 2001:db8::b proto esp mode tunnel reqid 1 tmpl src 2001:db8::a dst 2001:db8::b proto comp mode tunnel reqid 2 level use",
    "policy-add-v6-in-v4-tunnel": "xfrm policy add src 2001:db8:5::/64 dst 2001:db8:6::/64 dir out tmpl src 198.51.100.1 dst 198.51.100.2 proto esp mode tunnel reqid 3",
    "policy-update-v4": "xfrm policy update src 10.0.0.0/24 dst 10.1.0.0/24 proto tcp sport 80 dport 443 dev lo dir out priority 200 mark 0x5 mask 0xff if_id 7 tmpl src 192.0.2.1 dst 192.0.2.3 proto esp mode tunnel reqid 5 level required",
    "policy-delete-v4-selector": "xfrm policy delete src 10.0.0.0/24 dst 10.1.0.0/24 proto tcp sport 80 dport 443 dev lo dir out mark 0x5 mask 0xff if_id 7",
    "policy-delete-v6-sub": "xfrm policy delete src 2001:db8:3::1/128 dst 2001:db8:4::1/128 proto ipv6-icmp type 135 code 0 dir in ptype sub",
    "policy-delete-v4-ctx-all-attrs": "xfrm policy delete src 10.6.0.0/16 dst 10.7.0.0/16 dir out ptype sub ctx system_u:object_r:ipsec_spd_t:s0 mark 1 if_id 2",
    "policy-delete-index": "xfrm policy delete index 0x1001 dir out",
    "policy-get-v4-selector": "xfrm policy get src 10.2.0.0/16 dst 10.3.0.0/16 proto icmp type 8 code 0 dir fwd",
    "policy-get-index-sub": "xfrm policy get index 0x1002 dir fwd ptype sub",
    "policy-flush": "xfrm policy flush",
    "policy-flush-sub": "xfrm policy flush ptype sub",
    "policy-setdefault": "xfrm policy setdefault in block fwd accept out block",
    "policy-getdefault": "xfrm policy getdefault",
    "policy-count": "xfrm policy count",
    "policy-set-hthresh": "xfrm policy set hthresh4 24 16 hthresh6 64 48",
}

SOCKET = re.compile(r"socket\(AF_NETLINK, [^,]+, NETLINK_(\w+)\) = (\d+)")
SEND = re.compile(r"sendmsg\((\d+), .*?nlmsg_type=(0x[0-9a-f]+|\w+)[^,]*, nlmsg_flags=([^,]+), [^}]*\}(?:, \"((?:\\x[0-9a-f]{2})*)\")?")


def capture(args):
    ns = "cxt-vec-%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        cmd = ["strace", "-f", "-e", "trace=socket,sendmsg", "-xx", "-s", "65535", "ip", "-n", ns] + args.split()
        out = subprocess.run(cmd, capture_output=True, text=True).stderr
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=True)
    fds = {}
    found = []
    for line in out.splitlines():
        m = SOCKET.search(line)
        if m:
            fds[int(m.group(2))] = m.group(1)
            continue
        m = SEND.search(line)
        if m and fds.get(int(m.group(1))) == "XFRM":
            found.append((m.group(2), m.group(3), (m.group(4) or "").replace("\\x", "")))
    if len(found) != 1:
        sys.exit("expected one XFRM request for %r, got %d:\n%s" % (args, len(found), out))
    return found[0]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    version = subprocess.run(["ip", "-V"], capture_output=True, text=True).stdout.strip()
    for name, args in VECTORS.items():
        mtype, flags, payload = capture(args)
        with open(os.path.join(here, name + ".vec"), "w") as f:
            f.write("# Request that iproute2 sent to the kernel, captured by capture-policy-vectors.py with strace.\n")
            f.write("# %s\n" % version)
            f.write("command: ip -n NS %s\n" % args)
            f.write("type: %s\n" % mtype)
            f.write("flags: %s\n" % flags)
            f.write("payload: %s\n" % payload)
        print(name, mtype, len(payload) // 2)


if __name__ == "__main__":
    main()
