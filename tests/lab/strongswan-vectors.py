#!/usr/bin/env python3
"""Turns one strongswan-capture run (tcpdump pcap + both charons' logs) into a vector file.

The file is plain text, one "key = value" per line; "message" starts the block of one captured
IKE datagram. Keys come from charon's IKE log at level 4 (the Sk_* secret hexdumps of keymat_v2),
the messages from the pcap, and what strongSwan says it put in each message from the sender's
log ("generating ... [ D ]", "sending DELETE for ..."), so the Java test can check cxt's reading
against strongSwan's own account.
"""
import argparse
import sys

# --help: this module's docstring (argparse's for subcommands); --version: the build's version.
if len(sys.argv) > 1 and sys.argv[1] in ("-V", "--version"):
    import os, subprocess
    here = os.path.dirname(os.path.realpath(__file__))
    sys.exit(subprocess.call([os.path.join(here, "..", "..", "bin", "cxt-version"), os.path.basename(__file__)]))
if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help") and __doc__:
    print(__doc__.strip())
    sys.exit(0)
import ipaddress
import re
import struct
import sys

EXCHANGES = {34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA", 37: "INFORMATIONAL"}
HEXDUMP = re.compile(r"^\d+\[\w+\]\s+\d+: ((?:[0-9A-F]{2} )*[0-9A-F]{2})")
DUMP_START = re.compile(r"^\d+\[IKE\] (\S.*?) => (\d+) bytes @ ")


def fail(msg):
    sys.exit("strongswan-vectors: " + msg)


def read_pcap(path):
    """UDP payloads to/from port 500 or 4500: (src, sport, dst, dport, payload)."""
    data = open(path, "rb").read()
    if len(data) < 24:
        fail(path + ": no pcap header")
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0xA1B2C3D4:
        endian = "<"
    elif magic == 0xD4C3B2A1:
        endian = ">"
    else:
        fail(path + ": not a microsecond pcap file")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        fail(path + ": link type %d, expected Ethernet" % linktype)
    out = []
    pos = 24
    while pos + 16 <= len(data):
        _, _, caplen, origlen = struct.unpack(endian + "IIII", data[pos:pos + 16])
        frame = data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
        if caplen != origlen:
            fail("truncated frame in " + path)
        ethertype = struct.unpack(">H", frame[12:14])[0]
        ip = frame[14:]
        if ethertype == 0x0800:
            ihl = (ip[0] & 0x0F) * 4
            if ip[9] != 17:
                continue
            src, dst = ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20])
            udp = ip[ihl:struct.unpack(">H", ip[2:4])[0]]
        elif ethertype == 0x86DD:
            if ip[6] != 17:
                continue
            src, dst = ipaddress.ip_address(ip[8:24]), ipaddress.ip_address(ip[24:40])
            udp = ip[40:40 + struct.unpack(">H", ip[4:6])[0]]
        else:
            continue
        sport, dport, ulen = struct.unpack(">HHH", udp[:6])
        payload = udp[8:ulen]
        if 4500 in (sport, dport):
            if payload[:4] != b"\0\0\0\0":
                continue  # ESP in UDP, not IKE
            payload = payload[4:]
        out.append((str(src), sport, str(dst), dport, payload))
    return out


def read_log(path):
    """Key dumps (name -> bytes) and the generating/DELETE account of each sent message."""
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    dumps = {}
    sent = []
    deletes = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = DUMP_START.match(line)
        if m:
            name, length = m.group(1), int(m.group(2))
            octets = bytearray()
            i += 1
            while i < len(lines) and HEXDUMP.match(lines[i]):
                octets += bytes.fromhex(HEXDUMP.match(lines[i]).group(1))
                i += 1
            if len(octets) != length:
                fail("%s: dump %r has %d octets, expected %d" % (path, name, len(octets), length))
            dumps.setdefault(name, bytes(octets))
            continue
        m = re.search(r"\[IKE\] sending DELETE for (ESP|AH) CHILD_SA with SPI ([0-9a-f]{8})", line)
        if m:
            deletes.append("%s %s" % (m.group(1), m.group(2)))
        if re.search(r"\[IKE\] sending DELETE for IKE_SA", line):
            deletes.append("IKE")
        m = re.search(r"\[ENC\] generating (\S+ (?:request|response) \d+ \[.*\])", line)
        if m:
            sent.append((m.group(1), deletes))
            deletes = []
        i += 1
    return lines, dumps, sent


def main():
    ap = argparse.ArgumentParser()
    for opt in ("name", "ike-proposal", "esp-proposal", "version", "initiator", "responder", "esp-packets",
                "pcap", "initiator-log", "responder-log", "out"):
        ap.add_argument("--" + opt, required=True)
    a = ap.parse_args()
    packets = read_pcap(a.pcap)
    ilines, idumps, isent = read_log(a.initiator_log)
    rlines, rdumps, rsent = read_log(a.responder_log)
    keys = {}
    for name in ("SKEYSEED", "Sk_d secret", "Sk_ai secret", "Sk_ar secret", "Sk_ei secret", "Sk_er secret",
                 "Sk_pi secret", "Sk_pr secret"):
        if name not in idumps and name in ("Sk_ai secret", "Sk_ar secret"):
            idumps[name] = rdumps[name] = b""  # AEAD: no integrity keys, not dumped
        if name not in idumps:
            fail("the initiator's log has no %r dump (is the IKE log level 4?)" % name)
        if idumps[name] != rdumps.get(name):
            fail("initiator and responder logged different %r" % name)
        keys[name] = idumps[name]
    selected = [re.search(r"selected proposal: (IKE:\S+)", l).group(1) for l in ilines if "selected proposal: IKE:" in l]
    child = [re.search(r"established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o", l) for l in ilines
             if "CHILD_SA net{1} established with SPIs" in l]
    if not selected or not child or not child[0]:
        fail("the initiator's log lacks the selected proposal or the CHILD_SA SPIs")
    by_sender = {"initiator": list(isent), "responder": list(rsent)}
    counts = {"initiator": 0, "responder": 0}
    blocks = []
    spis = None
    for src, sport, dst, dport, payload in packets:
        if src == a.initiator:
            sender = "initiator"
        elif src == a.responder:
            sender = "responder"
        else:
            fail("packet from unknown address " + src)
        if len(by_sender[sender]) <= counts[sender]:
            fail("%s sent more messages than its log generated (retransmission?)" % sender)
        summary, deletes = by_sender[sender][counts[sender]]
        counts[sender] += 1
        spi_i, spi_r, _, _, exchange, flags, mid, length = struct.unpack(">QQBBBBII", payload[:28])
        if length != len(payload):
            fail("IKE length %d != datagram %d" % (length, len(payload)))
        kind = "response" if flags & 0x20 else "request"
        if not summary.startswith("%s %s %d " % (EXCHANGES.get(exchange, exchange), kind, mid)):
            fail("pcap message %s %s %d of the %s does not match its log: %s"
                 % (EXCHANGES.get(exchange), kind, mid, sender, summary))
        if exchange == 34 and kind == "response":
            spis = (spi_i, spi_r)
        block = ["message", "sender = " + sender, "from = %s %d" % (src, sport), "to = %s %d" % (dst, dport),
                 "exchange = " + EXCHANGES.get(exchange, str(exchange)), "kind = " + kind, "message-id = %d" % mid,
                 "strongswan = " + summary]
        block += ["delete = " + d for d in deletes]
        block.append("hex = " + payload.hex())
        blocks.append(block)
    for sender in by_sender:
        if counts[sender] != len(by_sender[sender]):
            fail("the %s's log generated %d messages, the capture has %d"
                 % (sender, len(by_sender[sender]), counts[sender]))
    if spis is None:
        fail("no IKE_SA_INIT response captured")
    with open(a.out, "w") as f:
        f.write("# strongSwan IKEv2 vectors: %s\n" % a.name)
        f.write("# Produced by tests/lab/strongswan-capture (see README.md here). Keys are from charon's\n")
        f.write("# IKE log at level 4 (keymat_v2's Sk_* dumps), messages from tcpdump on the veth link.\n")
        f.write("# The IKE SA and its keys existed only in a throw-away lab run.\n")
        f.write("version = %s\n" % a.version)
        f.write("ike-proposal = %s\n" % a.ike_proposal)
        f.write("esp-proposal = %s\n" % a.esp_proposal)
        f.write("selected = %s\n" % selected[0])
        f.write("initiator = %s\n" % a.initiator)
        f.write("responder = %s\n" % a.responder)
        f.write("esp-packets-on-child-sa = %s\n" % a.esp_packets)
        f.write("spi-i = %016x\n" % spis[0])
        f.write("spi-r = %016x\n" % spis[1])
        f.write("child-esp-spi-initiator-inbound = %s\n" % child[0].group(1))
        f.write("child-esp-spi-responder-inbound = %s\n" % child[0].group(2))
        for name, key in (("skeyseed", "SKEYSEED"), ("sk-d", "Sk_d secret"), ("sk-ai", "Sk_ai secret"),
                          ("sk-ar", "Sk_ar secret"), ("sk-ei", "Sk_ei secret"), ("sk-er", "Sk_er secret"),
                          ("sk-pi", "Sk_pi secret"), ("sk-pr", "Sk_pr secret")):
            f.write("%s = %s\n" % (name, keys[key].hex()))
        for block in blocks:
            f.write("\n" + "\n".join(block) + "\n")
    print("strongswan-vectors: %s: %d messages" % (a.out, len(blocks)))


if __name__ == "__main__":
    main()
