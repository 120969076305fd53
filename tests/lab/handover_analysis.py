#!/usr/bin/env python3
"""Measures handovers recorded by the lab scripts and prints the paper's Table 1 from them.

  handover_analysis.py table   RESULTS [--figures DIR]   # the experiment: table, ratios, goals, PNGs
  handover_analysis.py handover RESULTS [--index K]      # one handover, as the demo prints it

RESULTS holds handovers.jsonl (one JSON object per handover, written by handover-experiment-guest
or handover-demo-guest) and, per record's "dir", the stream logs (udp-stream: sent-HOA.log,
received-HOA.log) and tcpdump captures taken at the routers (mp1.pcap, mn1.pcap: access links;
pn0.pcap: router link; ra0.pcap: nAR-RADIUS link). One implementation of every figure: the demo
and the experiment both print through here.

What is measured, per handover (times in ms, all clocks are the one lab kernel's):
  interruption  link up -> first datagram of the CN's stream at the MN (any datagram: one that was
                queued or delayed on the way counts only when it arrives)
  silence       longest gap between two arrivals around the move
  trigger       link up -> first signalling message the MN sends (CTAR, or IKE_SA_INIT), from
                the capture at the router minus the access link's one-way delay
  signalling    that message sent -> the last answer to the MN arrived (CTAR -> CTAA + the nAR's
                IKEv2 INFORMATIONAL; IKE_SA_INIT -> last IKE_AUTH response), from the captures
  agent         CTAR -> CTAA as the MN's agent timed it; mn-update: the MN's own kernel update
  lost          datagrams sent from just before the move until recovery that never arrived
  messages/octets  signalling frames (IKE, CXTP, RADIUS; no ESP, no stream, no neighbour discovery)
                on the access links, the router link and the AAA link, Ethernet frame octets
"""
import argparse
import importlib.machinery
import importlib.util
import json
import os
import statistics
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_loader = importlib.machinery.SourceFileLoader("udp_stream", os.path.join(HERE, "udp-stream"))
_spec = importlib.util.spec_from_loader("udp_stream", _loader)
udp_stream = importlib.util.module_from_spec(_spec)
_loader.exec_module(udp_stream)

ROUTERS = {"2001:db8:a::1", "2001:db8:b::1"}


def is_mn(addr):
    """The MN's care-of addresses: anything on the two access prefixes but the routers (and the
    demo's other MN, ::99)."""
    return (addr is not None and addr.startswith(("2001:db8:a:", "2001:db8:b:")) and addr not in ROUTERS
            and not addr.endswith("::99"))


ACCESS_LINKS = ("mp1", "mn1")
ROUTER_LINK = "pn0"
AAA_LINK = "ra0"
IKE_PORTS = {500, 4500}           # cxt's agents (the nAR's INFORMATIONAL to the MN)
CHARON_PORTS = {1500, 14500}      # the experiment's charons
# Which signalling belongs to a method: with movement detection a strongSwan or control move also
# moves cxt's context, whose messages are not the baseline's.
PROTOCOLS = {"baseline": ("charon", "radius"), "baseline-aaa": ("charon", "radius"),
             "predictive": ("cxtp", "ike"), "reactive": ("cxtp", "ike"), "control": ()}
REQUEST = {"baseline": "charon", "baseline-aaa": "charon", "predictive": "cxtp", "reactive": "cxtp"}
METHOD_LABEL = {"baseline": "strongSwan new IKE SA", "baseline-aaa": "strongSwan + EAP/RADIUS",
                "predictive": "cxt predictive", "reactive": "cxt reactive", "control": "no IPsec (control)"}
METHOD_ORDER = ["baseline", "baseline-aaa", "predictive", "reactive", "control"]


class Frame:
    __slots__ = ("time", "octets", "kind", "from_mn", "to_mn", "icmp_type")

    def __init__(self, time, octets, kind, from_mn, to_mn, icmp_type=None):
        self.time, self.octets, self.kind = time, octets, kind
        self.from_mn, self.to_mn, self.icmp_type = from_mn, to_mn, icmp_type


def _ip6(b):
    return ":".join(f"{(b[i] << 8) | b[i + 1]:x}" for i in range(0, 16, 2))


def _norm(addr):
    import ipaddress
    return str(ipaddress.IPv6Address(addr))


def classify(frame):
    """Ethernet frame -> (kind, src, dst, icmp type); kind: ike, cxtp, radius, nd, other."""
    if len(frame) < 54 or frame[12:14] != b"\x86\xdd":
        return "other", None, None, None
    nh, src, dst = frame[20], _norm(_ip6(frame[22:38])), _norm(_ip6(frame[38:54]))
    p = 54
    while nh in (0, 43, 60) and len(frame) >= p + 2:
        nh, p = frame[p], p + 8 * (frame[p + 1] + 1)
    if nh == 58 and len(frame) > p:
        t = frame[p]
        if t == 150:
            return "cxtp", src, dst, t
        if 133 <= t <= 137:
            return "nd", src, dst, t
        return "other", src, dst, t
    if nh == 17 and len(frame) >= p + 4:
        sport, dport = struct.unpack_from("!HH", frame, p)
        ports = {sport, dport}
        if ports & IKE_PORTS:
            return "ike", src, dst, None
        if ports & CHARON_PORTS:
            return "charon", src, dst, None
        if 5091 in ports:
            return "cxtp", src, dst, None
        if ports & {1812, 1813}:
            return "radius", src, dst, None
    return "other", src, dst, None


def read_pcap(path):
    """Classic pcap (tcpdump -w), Ethernet. Missing file: no frames."""
    frames = []
    if not os.path.exists(path):
        return frames
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return frames
    magic = struct.unpack_from("<I", data)[0]
    endian, nano = {0xA1B2C3D4: ("<", False), 0xA1B23C4D: ("<", True)}.get(magic, (">", False))
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        magic_be = struct.unpack_from(">I", data)[0]
        nano = magic_be == 0xA1B23C4D
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack_from(endian + "IIII", data, off)
        off += 16
        body = data[off:off + incl]
        off += incl
        if len(body) < incl:
            break
        kind, src, dst, icmp = classify(body)
        frames.append(Frame(sec + frac / (1e9 if nano else 1e6), orig, kind,
                            is_mn(src), is_mn(dst), icmp))
    return frames


class Results:
    """A results directory: records plus cached logs and captures."""

    def __init__(self, root):
        self.root = root
        with open(os.path.join(root, "handovers.jsonl")) as f:
            self.records = [json.loads(line) for line in f if line.strip()]
        self._cache = {}

    def _get(self, key, load):
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def frames(self, rec, link):
        path = os.path.join(self.root, rec["dir"], f"{link}.pcap")
        return self._get(("pcap", path), lambda: read_pcap(path))

    def stream(self, rec):
        d, hoa = os.path.join(self.root, rec["dir"]), rec["homeAddress"]
        sent = self._get(("sent", d, hoa), lambda: udp_stream.read(os.path.join(d, f"sent-{hoa}.log"), 2))
        received = self._get(("recv", d, hoa), lambda: udp_stream.read(os.path.join(d, f"received-{hoa}.log"), 3))
        return sent, received


def measure(results, rec):
    """One handover's figures (dict; None where a figure does not apply or never happened)."""
    t0, t_link, t_end = rec["t0"], rec["tLink"], rec["tEnd"]
    delay = rec["delayMs"] / 1000.0
    sent, received = results.stream(rec)
    arrivals = sorted(r[2] for r in received)
    after = [t for t in arrivals if t >= t_link]
    first = after[0] if after and after[0] <= t_end else None
    before = [t for t in arrivals if t < t0]
    last_before = before[-1] if before else t0
    window = [t for t in arrivals if last_before <= t <= t_end]
    silence = max((b - a for a, b in zip(window, window[1:])), default=None)
    got = {r[0] for r in received}
    recovered_at = first if first is not None else t_end
    lost = sum(1 for seq, t in sent if t0 - 0.1 <= t <= recovered_at and seq not in got)
    late = sum(1 for seq, ts, tr in received if tr >= t_link and ts < t_link)
    m = {"interruption": None if first is None else (first - t_link) * 1000,
         "silence": None if silence is None else silence * 1000, "lost": lost, "late": late,
         "recovered": first is not None}
    # Signalling on the access link into the new router (captured there).
    access = [f for link in ACCESS_LINKS for f in results.frames(rec, link) if t0 <= f.time <= t_end]
    own = PROTOCOLS.get(rec["method"], ("ike", "cxtp", "charon", "radius"))
    sig = sorted((f for f in access if f.kind in own), key=lambda f: f.time)
    first_req = next((f for f in sig if f.from_mn and f.kind == REQUEST.get(rec["method"], f.kind)), None)
    m["trigger"] = None if first_req is None else (first_req.time - delay - t_link) * 1000
    done = rec.get("tTriggerDone", t_end)
    answers = [f for f in sig if f.to_mn and f.time <= done + 0.05]
    m["requestOctets"] = first_req.octets if first_req is not None else None
    m["answerOctets"] = answers[0].octets if answers else None
    m["signalling"] = None
    if first_req is not None and answers:
        m["signalling"] = (answers[-1].time - (first_req.time - delay)) * 1000
    d = rec.get("details") or {}
    m["agent"] = d["delayMicros"] / 1000 if "delayMicros" in d else None
    m["mnUpdate"] = d["ownRewriteMicros"] / 1000 if "ownRewriteMicros" in d else None
    m["agentTrigger"] = None
    mv = movement_times(rec.get("movement"))
    if mv and rec["method"] in ("predictive", "reactive"):
        # The MN agent's own timeline: link up (rtnetlink), CTAR sent, CTAA, moved (own SAs and
        # policies moved: the MN's handover is complete), done (after its event was logged; agents
        # before 2026-12-03 print no "moved", and "done" stands in for it).
        if "CTAR sent" in mv and "CTAA" in mv:
            m["agent"] = (mv["CTAA"] - mv["CTAR sent"]) * 1000
        end = mv.get("moved", mv.get("done"))
        if "CTAA" in mv and end is not None:
            m["mnUpdate"] = (end - mv["CTAA"]) * 1000
        if "link up" in mv and "CTAR sent" in mv:
            m["agentTrigger"] = (mv["CTAR sent"] - mv["link up"]) * 1000
    # Messages and octets: from the move (predictive: from the transfer) until recovery.
    counts = {}
    start_router = rec.get("tPrep", t0) if rec["method"] == "predictive" else t0
    for where, links, start in (("access", ACCESS_LINKS, t0), ("router", (ROUTER_LINK,), start_router),
                                ("aaa", (AAA_LINK,), t0)):
        fs = [f for link in links for f in results.frames(rec, link)
              if start <= f.time <= t_end and f.kind in own]
        counts[where] = (len(fs), sum(f.octets for f in fs))
    m["messages"] = sum(c[0] for c in counts.values())
    m["octets"] = sum(c[1] for c in counts.values())
    m["links"] = counts
    return m


def movement_times(event):
    """'link up T, trigger T, CTAR sent T, CTAA T, moved T, done T' of a movement-activated event ->
    {name: epoch seconds}; None without an event."""
    if not event:
        return None
    import calendar
    import re
    import time as _time
    out = {}
    for name, iso in re.findall(r"(link up|trigger|CTAR sent|CTAA|moved|done) (\d{4}-\d\d-\d\dT[\d:.]+Z)", event.get("detail", "")):
        base, _, frac = iso.rstrip("Z").partition(".")
        out[name] = calendar.timegm(_time.strptime(base, "%Y-%m-%dT%H:%M:%S")) + float("0." + (frac or "0"))
    return out


def quantiles(values):
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    p90 = v[min(len(v) - 1, max(0, int(round(0.9 * len(v) + 0.5)) - 1))]
    return v[0], statistics.median(v), p90


def fmt(q, digits=1):
    if q is None:
        return "-"
    return "/".join(f"{x:.{digits}f}" for x in q)


def fmt1(x, digits=1):
    return "-" if x is None else f"{x:.{digits}f}"


def table(results, out=sys.stdout):
    rows = [(r, measure(results, r)) for r in results.records]
    delays = sorted({r["delayMs"] for r, _ in rows})
    methods = [m for m in METHOD_ORDER if any(r["method"] == m for r, _ in rows)]
    w = out.write
    w("Table 1 (as in the paper: method, delay, messages, octets), from "
      f"{len(rows)} handovers in {results.root}\n")
    w("times in ms as min/median/p90 over the warm handovers; 'cold' = the first handover of that method after "
      "the daemons started\n\n")
    head = (f"{'method':<24} {'delay':>5} {'n':>3} {'interruption':>20} {'cold':>7} {'silence p50':>11} "
            f"{'link->trigger':>13} {'signalling':>20} {'cold':>7} {'agent p50':>9} {'MN upd p50/cold':>15} "
            f"{'lost p50/max':>12} {'msgs':>4} {'octets':>6} {'agent link->CTAR p50':>20}\n")
    w(head)
    w("-" * (len(head) - 1) + "\n")
    summary = {}
    for delay in delays:
        for method in methods:
            sel = [(r, m) for r, m in rows if r["delayMs"] == delay and r["method"] == method]
            if not sel:
                continue
            warm = [m for r, m in sel if not r["cold"]]
            cold = [m for r, m in sel if r["cold"]]
            allm = [m for _, m in sel]
            q = lambda key, ms=warm: quantiles(m[key] for m in ms)
            cold_of = lambda key: cold[0][key] if cold and cold[0][key] is not None else None
            unrecovered = sum(1 for m in allm if not m["recovered"])
            lost = [m["lost"] for m in allm]
            summary[(method, delay)] = {"all": allm, "warm": warm, "cold": cold}
            msgs = statistics.median(m["messages"] for m in allm)
            octs = statistics.median(m["octets"] for m in allm)
            mnu = q("mnUpdate")
            w(f"{METHOD_LABEL[method]:<24} {delay:>5} {len(sel):>3} {fmt(q('interruption')):>20} "
              f"{fmt1(cold_of('interruption')):>7} {fmt1((q('silence') or (0, None, 0))[1]):>11} "
              f"{fmt1((q('trigger') or (0, None, 0))[1]):>13} {fmt(q('signalling')):>20} {fmt1(cold_of('signalling')):>7} "
              f"{fmt1((q('agent') or (0, None, 0))[1], 2):>9} "
              f"{fmt1(mnu[1] if mnu else None, 2) + '/' + fmt1(cold_of('mnUpdate'), 1):>15} "
              f"{f'{statistics.median(lost):g}/{max(lost)}':>12} {msgs:>4g} {octs:>6g} "
              f"{fmt1((q('agentTrigger') or (0, None, 0))[1]):>20}"
              + (f"  ({unrecovered} not recovered)" if unrecovered else "") + "\n")
        w("\n")
    w("Ratios cxt / strongSwan (median interruption, all handovers incl. cold; median signalling):\n")
    for delay in delays:
        base = summary.get(("baseline", delay))
        if not base:
            continue
        bi = quantiles(m["interruption"] for m in base["all"])
        bs = quantiles(m["signalling"] for m in base["all"])
        parts = []
        for method in ("predictive", "reactive"):
            s = summary.get((method, delay))
            if not s or not bi:
                continue
            ci = quantiles(m["interruption"] for m in s["all"])
            cs = quantiles(m["signalling"] for m in s["all"])
            parts.append(f"{method} interruption {fmt1(ci[1] / bi[1] if ci else None, 2)}, "
                         f"signalling {fmt1(cs[1] / bs[1] if cs and bs else None, 3)}")
        w(f"  {delay:>3} ms: " + "; ".join(parts) + "\n")
    w("\nGoals (issue 11):\n")
    for line in goals(summary, delays):
        w("  " + line + "\n")
    return rows, summary


def goals(summary, delays):
    lines = []
    for delay, limit in ((0, 5), (10, 3)):
        base = summary.get(("baseline", delay))
        if not base:
            continue
        bi = quantiles(m["interruption"] for m in base["all"])
        for method in ("predictive", "reactive"):
            s = summary.get((method, delay))
            if not s or not bi:
                continue
            ci = quantiles(m["interruption"] for m in s["all"])
            ok = ci is not None and ci[1] <= bi[1] / limit
            lines.append(f"{'met   ' if ok else 'MISSED'} {delay} ms, {method}: median interruption "
                         f"{fmt1(ci[1] if ci else None)} ms <= strongSwan's {bi[1]:.1f} / {limit} = {bi[1] / limit:.1f} ms")
    for method in ("predictive", "reactive"):
        for delay in delays:
            s = summary.get((method, delay))
            if not s or not s["cold"]:
                continue
            c = s["cold"][0]
            ok1 = c["agent"] is not None and c["agent"] <= 20
            ok2 = c["mnUpdate"] is not None and c["mnUpdate"] <= 10
            lines.append(f"{'met   ' if ok1 else 'MISSED'} cold {method} at {delay} ms: CTAR->CTAA {fmt1(c['agent'])} ms <= 20 ms")
            lines.append(f"{'met   ' if ok2 else 'MISSED'} cold {method} at {delay} ms: MN update {fmt1(c['mnUpdate'])} ms <= 10 ms")
            if delay == 0:
                q = quantiles(m["agent"] for m in s["warm"])
                ok = q is not None and q[1] <= 1
                lines.append(f"{'met   ' if ok else 'MISSED'} warm {method} at 0 ms: CTAR->CTAA p50 {fmt1(q[1] if q else None, 2)} ms <= 1 ms"
                             " (includes the MN agent's send and receive path)")
    for delay in delays:
        ctl = summary.get(("control", delay))
        if not ctl:
            continue
        cl = statistics.median(m["lost"] for m in ctl["all"])
        for method in ("predictive", "reactive"):
            s = summary.get((method, delay))
            if s:
                ml = statistics.median(m["lost"] for m in s["all"])
                lines.append(f"{'met   ' if ml <= cl else 'MISSED'} {delay} ms, {method}: median datagrams lost {ml:g} <= control's {cl:g}")
    return lines


def figures(results, rows, directory, machine=""):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(directory, exist_ok=True)
    written = []
    delays = sorted({r["delayMs"] for r, _ in rows})
    methods = [m for m in METHOD_ORDER if any(r["method"] == m for r, _ in rows)]
    # Figure 4 as in the paper: datagram arrivals at the MN around one handover per method.
    def recovered_everywhere(d):
        return all(any(r["method"] == me and r["delayMs"] == d and m["recovered"]
                       and (m["interruption"] or 0) < 29000 for r, m in rows) for me in methods)
    delay = next((d for d in delays if recovered_everywhere(d)), delays[0])
    fig, axes = plt.subplots(len(methods), 1, sharex=True, figsize=(9, 1.7 * len(methods) + 0.8), squeeze=False)
    picks = {}
    for method in methods:
        sel = [(r, m) for r, m in rows if r["method"] == method and r["delayMs"] == delay]
        if sel:
            picks[method] = next(((r, m) for r, m in sel if not r["cold"]), sel[0])
    # One time axis for all: from just before the move until the slowest pick is back.
    span = max([1.0] + [min(30.0, (m["interruption"] or 0) / 1000 + 0.5) for r, m in picks.values()])
    for ax, method in zip(axes[:, 0], methods):
        if method not in picks:
            continue
        pick = picks[method][0]
        sent, received = results.stream(pick)
        t_link = pick["tLink"]
        lo, hi = t_link - 0.3, t_link + span
        base = min((s for s, t in sent if t >= lo), default=0)
        xs = [(tr - t_link) * 1000 for s, ts, tr in received if lo <= tr <= hi]
        ys = [s - base for s, ts, tr in received if lo <= tr <= hi]
        sx = [(t - t_link) * 1000 for s, t in sent if lo <= t <= hi]
        sy = [s - base for s, t in sent if lo <= t <= hi]
        ax.plot(sx, sy, ".", color="0.8", markersize=3, label="sent by the CN")
        ax.plot(xs, ys, ".", color="C0", markersize=4, label="received at the MN")
        ax.axvline(0, color="C3", linewidth=0.8)
        m = measure(results, pick)
        ax.set_title(f"{METHOD_LABEL[method]} ({'cold' if pick['cold'] else 'warm'}, round {pick['round']}): "
                     f"interruption {fmt1(m['interruption'], 0)} ms, lost {m['lost']}", fontsize=9, loc="left")
        ax.set_ylabel("datagram #")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper left", fontsize=8)
    axes[-1, 0].set_xlabel(f"time since link up (ms); CN -> MN every 20 ms; access-link delay {delay} ms")
    fig.suptitle(f"Datagram arrivals around a handover, one per method{machine}", fontsize=10)
    fig.tight_layout()
    p = os.path.join(directory, "handover-arrivals.png")
    fig.savefig(p, dpi=110)
    plt.close(fig)
    written.append(p)
    # CDF of interruptions, one panel per delay.
    fig, axes = plt.subplots(1, len(delays), figsize=(4.2 * len(delays), 3.6), squeeze=False, sharey=True)
    for ax, delay in zip(axes[0], delays):
        for i, method in enumerate(methods):
            v = sorted(m["interruption"] for r, m in rows
                       if r["method"] == method and r["delayMs"] == delay and m["interruption"] is not None)
            if not v:
                continue
            ax.step([v[0]] + v, [0] + [(k + 1) / len(v) for k in range(len(v))], where="post",
                    label=METHOD_LABEL[method], color=f"C{i}", marker="o", markersize=3)
        ax.set_xscale("log")
        ax.set_title(f"access-link delay {delay} ms", fontsize=9)
        ax.set_xlabel("interruption: link up -> first datagram (ms)")
        ax.grid(alpha=0.3, which="both")
    axes[0, 0].set_ylabel("fraction of handovers")
    axes[0, -1].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"Interruption CDF (cold and warm){machine}", fontsize=10)
    fig.tight_layout()
    p = os.path.join(directory, "interruption-cdf.png")
    fig.savefig(p, dpi=110)
    plt.close(fig)
    written.append(p)
    return written


def print_handover(results, index, out=sys.stdout):
    """The demo's per-handover table."""
    rec = results.records[index]
    m = measure(results, rec)
    d = rec.get("details") or {}
    rows = [
        ("interruption: link up -> first CN datagram at the MN", f"{fmt1(m['interruption'])} ms"),
        ("longest silence at the MN around the move", f"{fmt1(m['silence'], 0)} ms"),
        ("link up -> CTAR sent (captured at the nAR, minus the link delay)", f"{fmt1(m['trigger'])} ms"),
        ("link up -> CTAR sent (the MN agent's own clock)", f"{fmt1(m['agentTrigger'])} ms"),
        ("security set-up delay: CTAR sent -> CTAA received (agent)", f"{fmt1(m['agent'], 2)} ms"),
        ("CTAR sent -> last answer at the MN (captures)", f"{fmt1(m['signalling'], 2)} ms"),
        ("MN's own kernel update after the CTAA", f"{fmt1(m['mnUpdate'], 2)} ms"),
        ("CTAR: Ethernet frame (captured)", f"{m['requestOctets'] or '?'} octets (paper: 106)"),
        ("first answer to the MN (CTAA): Ethernet frame (captured)", f"{m['answerOctets'] or '?'} octets (paper: 82)"),
    ]
    for where, (n, o) in m["links"].items():
        if n:
            rows.append((f"signalling on the {where} link{'s' if where == 'access' else ''}", f"{n} message(s), {o} octets"))
    rows.append(("UDP datagrams CN -> MN lost (move to recovery)", f"{m['lost']}, {m['late']} arrived late"))
    out.write(f"\n  {rec['method']} handover {rec['from']} -> {rec['to']}\n")
    for k, v in rows:
        out.write(f"  {k:<58} {v}\n")
    return m


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("table", help="the experiment's table, ratios, goals and figures")
    t.add_argument("results")
    t.add_argument("--figures", help="directory for the PNG figures (none without it)")
    t.add_argument("--machine", default="", help="text for the figure titles (machine, date)")
    t.add_argument("--json", help="also write every handover's figures to this JSON file")
    t.add_argument("--strict", action="store_true",
                   help="exit 1 when a handover failed (trigger or activation error, stream never back)")
    h = sub.add_parser("handover", help="one handover as the demo prints it")
    h.add_argument("results")
    h.add_argument("--index", type=int, default=-1)
    a = p.parse_args()
    try:
        results = Results(a.results)
    except OSError as e:
        print(f"handover_analysis: cannot read {a.results}: {e.strerror}", file=sys.stderr)
        return 1
    if not results.records:
        print(f"handover_analysis: no handover recorded in {a.results}/handovers.jsonl", file=sys.stderr)
        return 1
    if a.command == "handover":
        print_handover(results, a.index)
        return 0
    rows, _ = table(results)
    if a.json:
        with open(a.json, "w") as f:
            json.dump([dict(r, figures=m) for r, m in rows], f, indent=1)
    if a.figures:
        for path in figures(results, rows, a.figures, f" — {a.machine}" if a.machine else ""):
            print(f"figure: {path}")
    failed = [r for r, m in rows if not r.get("triggerOk", True) or not m["recovered"]]
    for r in failed:
        print(f"handover_analysis: {r['method']} handover {r['from']} -> {r['to']} (delay {r['delayMs']} ms, round "
              f"{r['round']}) failed: {'trigger/activation error' if not r.get('triggerOk', True) else 'stream never came back'}",
              file=sys.stderr)
    return 1 if a.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
