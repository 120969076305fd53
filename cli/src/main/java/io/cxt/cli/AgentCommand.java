package io.cxt.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxt.agent.control.ControlClient;
import io.cxt.agent.control.ControlException;
import io.cxt.agent.metrics.OpenMetricsText;
import io.cxt.agent.view.MetricsView;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cxctl agent}: ask the running cxagent (over its control socket) what it holds and tell it
 * to transfer, activate or cancel a mobile node's context.
 */
@Command(name = "agent",
        mixinStandardHelpOptions = true,
        description = {"Talk to the running context-transfer agent (cxagent) over its control socket.",
            "",
            "cxagent answers on a unix socket (default /run/cxt/cxagent.sock) to root and to members of its"
                + " configured control-group (checked with SO_PEERCRED). Every command prints text for people and,"
                + " with --json, the agent's raw answer for scripts (docs/agent.md describes the fields)."},
        footer = {
            "%nExamples:%n"
                + "  cxctl agent status%n"
                + "  cxctl agent contexts -d%n"
                + "  cxctl agent transfer --mn 2001:db8:1::10 --to nar%n"
                + "  cxctl agent activate --nar 2001:db8:2::1%n"
                + "  cxctl --json agent events --since 40%n"
                + "  cxctl agent --socket /run/cxt/lab.sock peers",
            "%nExit status: 0 success, 1 the agent refused or failed (its reason on stderr) or cannot be reached,"
                + " 2 bad command line."},
        subcommands = {AgentCommand.Status.class, AgentCommand.Contexts.class, AgentCommand.Peers.class,
            AgentCommand.Stats.class, AgentCommand.Events.class, AgentCommand.Transfer.class,
            AgentCommand.Activate.class, AgentCommand.Cancel.class})
public final class AgentCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    ControlSocketOption controlSocket;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "agent needs a command: status, contexts, peers, stats, events, transfer, activate or cancel");
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"The agent's role, name, addresses, uptime and counts.", "",
                "Prints the agent's state as 'key: value' lines: role (access-router or mobile-node), name,"
                + " pid, version, start time and uptime, the addresses it speaks CXTP from, and how many contexts, peers"
                + " and IKE SAs it holds, and the last handover."})
    static final class Status extends ControlLeaf {
        @Override
        public Integer call() throws Exception {
            JsonNode s = request("status", Map.of());
            if (json()) {
                printJson(s);
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"role", AgentText.text(s, "role")});
            rows.add(new String[] {"name", AgentText.text(s, "name")});
            rows.add(new String[] {"pid", AgentText.text(s, "pid")});
            rows.add(new String[] {"version", AgentText.text(s, "version")});
            rows.add(new String[] {"started", AgentText.text(s, "startedAt")});
            rows.add(new String[] {"uptime", AgentText.duration(s.path("uptimeSeconds").asLong() * 1000)});
            List<String> addrs = new ArrayList<>();
            s.path("localAddresses").forEach(a -> addrs.add(a.asText()));
            rows.add(new String[] {"addresses", addrs.isEmpty() ? "-" : String.join(" ", addrs)});
            rows.add(new String[] {"contexts", AgentText.text(s, "contexts")});
            rows.add(new String[] {"peers", AgentText.text(s, "peers")});
            rows.add(new String[] {"ike-sas", AgentText.text(s, "ikeSas")});
            rows.add(new String[] {"last-handover", AgentText.text(s, "lastHandover")});
            AgentText.keyValues(out(), rows);
            out().flush();
            return 0;
        }
    }

    @Command(name = "contexts", mixinStandardHelpOptions = true,
            description = {"The mobile nodes' contexts it holds, one line each (-d: their SAs).", "",
                "Lists the mobile nodes' contexts the agent holds, one per line: the MN's home address, the"
                + " care-of address the context is keyed by, its state (SNAPSHOT, SENT, HELD = received and not yet"
                + " activated, ACTIVE, REMOVING, FAILED), the other router of the transfer, predictive or reactive,"
                + " the number of SAs and policies, the IKE SA's SPIs, the age in this state and the time left on the"
                + " handover timer. Keys are never shown."})
    static final class Contexts extends ControlLeaf {
        @Option(names = {"-d", "--details"}, description = "Also print each context's SAs, in ip-xfrm words.")
        boolean details;

        @Override
        public Integer call() throws Exception {
            JsonNode list = request("contexts", Map.of());
            if (json()) {
                printJson(list);
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode c : list) {
                rows.add(List.of(AgentText.text(c, "mobileNode"), AgentText.text(c, "careOf"), AgentText.text(c, "state"),
                        AgentText.text(c, "peer"), AgentText.text(c, "mode"), Integer.toString(c.path("sas").size()),
                        AgentText.text(c, "policies"), AgentText.text(c, "ike"),
                        AgentText.duration(c.path("ageMillis").asLong()), AgentText.duration(c.path("expiresInMillis").asLong(-1))));
            }
            AgentText.table(out(), List.of("MN", "CARE-OF", "STATE", "PEER", "MODE", "SAS", "POLICIES", "IKE", "AGE", "EXPIRES"),
                    rows);
            if (details) {
                for (JsonNode c : list) {
                    out().println(AgentText.text(c, "mobileNode") + ":");
                    c.path("sas").forEach(sa -> out().println("  " + sa.asText()));
                }
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "peers", mixinStandardHelpOptions = true,
            description = {"The configured peer routers and their message counters.", "",
                "Lists the configured peer routers: name, address and port, transport (udp or sctp), the"
                + " peer's router-channel sender id, CXTP messages sent to it and accepted from it, envelopes from its"
                + " address that failed protection (bad tag, replayed counter), and when it was last heard from."})
    static final class Peers extends ControlLeaf {
        @Override
        public Integer call() throws Exception {
            JsonNode list = request("peers", Map.of());
            if (json()) {
                printJson(list);
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode p : list) {
                rows.add(List.of(AgentText.text(p, "name"), AgentText.text(p, "address"), AgentText.text(p, "transport"),
                        Integer.toUnsignedString(p.path("senderId").asInt()), AgentText.text(p, "sent"),
                        AgentText.text(p, "received"), AgentText.text(p, "rejected"), AgentText.text(p, "lastSeen")));
            }
            AgentText.table(out(), List.of("NAME", "ADDRESS", "TRANSPORT", "SENDER-ID", "SENT", "RECEIVED", "REJECTED",
                    "LAST-SEEN"), rows);
            out().flush();
            return 0;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = {"Counters, 'name value' per line; --openmetrics: counters and latency histograms.", "",
                "Prints the agent's counters, one 'name value' per line, sorted by name (messages sent and"
                + " received by type, rejected CTARs, protection failures, activations, ...).",
                "",
                "With --openmetrics it prints them in the OpenMetrics text format that Prometheus reads, with the"
                + " latency histograms in seconds: on a router cxt_ctar_to_ctaa_seconds (CTAR decoded to CTAA sent,"
                + " mode predictive or reactive), cxt_install_seconds (the install batch) and"
                + " cxt_activation_phase_seconds (per phase); on a mobile node cxt_ctar_to_ctaa_seconds (first CTAR sent"
                + " to CTAA received) and cxt_activation_seconds (first CTAR sent to its own SAs moved). The agent serves"
                + " the same text over HTTP when [agent] metrics-listen is set (cxagent.conf(5))."},
            footer = {"%nExamples:%n  cxctl agent stats%n  cxctl agent stats --openmetrics"})
    static final class Stats extends ControlLeaf {
        @Option(names = "--openmetrics", description = "OpenMetrics text (counters and latency histograms) for Prometheus.")
        boolean openMetrics;

        @Override
        public Integer call() throws Exception {
            if (openMetrics) {
                if (json()) {
                    throw new UsageException("--openmetrics and --json are two formats; choose one");
                }
                JsonNode m = request("metrics", Map.of());
                MetricsView view;
                try {
                    view = io.cxt.agent.control.ControlJson.mapper().treeToValue(m, MetricsView.class);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IOException("the agent's metrics answer is not readable: " + e.getOriginalMessage());
                } catch (IllegalArgumentException e) {
                    throw new IOException("the agent's metrics answer is not readable: " + e.getMessage());
                }
                out().print(OpenMetricsText.format(view));
                out().flush();
                return 0;
            }
            JsonNode stats = request("stats", Map.of());
            if (json()) {
                printJson(stats);
                return 0;
            }
            java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
            stats.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
            sorted.forEach((k, v) -> out().println(k + " " + v));
            out().flush();
            return 0;
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true,
            description = {"Recent events (contexts received, activated, removed; rejected CTARs; ...); -f follows.", "",
                "Prints the agent's recent events, oldest first, one per line: event number, time, kind,"
                + " the mobile node concerned and a description. Kinds include context-received, context-activated,"
                + " context-removed, transfer-failed, ctar-rejected, protection-rejected, spi-update-sent,"
                + " spi-update-applied and ike-full-negotiation-required.",
                "",
                "With --follow it then keeps the connection open and prints each new event as it happens (the agent is"
                + " asked every " + Events.FOLLOW_POLL_MILLIS + " ms) until interrupted (Ctrl-C) or the agent goes away (exit 1);"
                + " with --json, one JSON object per line. Events the agent's buffer (1000) dropped between two polls are"
                + " reported as a '# N events not shown' line."},
            footer = {"%nExamples:%n  cxctl agent events --since 40%n  cxctl agent events -f%n"
                + "  cxctl --json agent events --follow --since 0"})
    static final class Events extends ControlLeaf {
        static final long FOLLOW_POLL_MILLIS = 200;

        @Option(names = "--since", paramLabel = "ID", description = "Only events after number ID (as printed first on each line).")
        Long since;

        @Option(names = {"-f", "--follow"},
                description = "Keep printing new events as they happen, until interrupted (Ctrl-C).")
        boolean follow;

        @Override
        public Integer call() throws Exception {
            if (since != null && since < 0) {
                throw new UsageException("--since needs an event number >= 0, not " + since);
            }
            if (follow) {
                return follow();
            }
            JsonNode list = request("events", since == null ? Map.of() : Map.of("since", Long.toString(since)));
            if (json()) {
                printJson(list);
                return 0;
            }
            for (JsonNode e : list) {
                out().println(line(e));
            }
            out().flush();
            return 0;
        }

        /** --follow: one connection, asked every FOLLOW_POLL_MILLIS for events after the last printed. */
        private int follow() throws IOException {
            checkNoNetns();
            long last = since == null ? 0 : since;
            boolean first = true;
            try (ControlClient c = ControlClient.connect(socket())) {
                while (!Thread.currentThread().isInterrupted()) {
                    JsonNode list;
                    try {
                        list = c.request("events", Map.of("since", Long.toString(last)));
                    } catch (ControlException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                    for (JsonNode e : list) {
                        long id = e.path("id").asLong();
                        if (id <= last) {
                            continue;
                        }
                        if (id > last + 1 && !(first && since == null)) {
                            out().println("# " + (id - last - 1) + " events not shown (the agent's buffer dropped them)");
                        }
                        out().println(json() ? e.toString() : line(e));
                        last = id;
                    }
                    out().flush();
                    first = false;
                    try {
                        Thread.sleep(FOLLOW_POLL_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return 0;
        }

        private static String line(JsonNode e) {
            StringBuilder b = new StringBuilder().append(e.path("id").asLong()).append(' ')
                    .append(AgentText.text(e, "time")).append(' ').append(AgentText.text(e, "kind"));
            String mn = e.path("mobileNode").asText("");
            if (!mn.isEmpty()) {
                b.append(" mn ").append(mn);
            }
            String d = e.path("detail").asText("");
            if (!d.isEmpty()) {
                b.append(' ').append(d);
            }
            return b.toString();
        }
    }

    @Command(name = "transfer", mixinStandardHelpOptions = true,
            description = {"Router: push an MN's context to a new access router (predictive, RFC 4067 5.1).", "",
                "On an access router: takes the mobile node's context out of the kernel and sends it to the"
                + " new access router in a Predictive Context Transfer Data message (RFC 4067 section 5.1). The new"
                + " router holds it, un-activated, until the MN's CTAR arrives. Prints what was sent."},
            footer = {"%nExample:%n  cxctl agent transfer --mn 2001:db8:1::10 --to nar"})
    static final class Transfer extends ControlLeaf {
        @Option(names = "--mn", required = true, paramLabel = "ADDR", description = "The mobile node's (care-of) address.")
        String mn;

        @Option(names = "--to", required = true, paramLabel = "PEER",
                description = "The new access router: a configured [[peer]] name or its address.")
        String to;

        @Override
        public Integer call() throws Exception {
            ContextCommand.address(mn, "mobile node");
            if (to.isBlank()) {
                throw new UsageException("--to needs a peer name or address");
            }
            return operation(request("transfer", Map.of("mn", mn, "to", to)));
        }
    }

    @Command(name = "activate", mixinStandardHelpOptions = true,
            description = {"Mobile node: ask the new access router to activate its context (CTAR).", "",
                "On a mobile node: after moving to the new access router, sends it a Context Transfer"
                + " Activate Request (CTAR) with a fresh sequence number and the authorisation token, retransmitting"
                + " as RFC 4067 says, and on a successful CTAA applies the same rewrite to its own kernel (new care-of"
                + " address, new tunnel peer). Prints the outcome and the delay."},
            footer = {"%nExamples:%n  cxctl agent activate --nar 2001:db8:2::1%n"
                + "  cxctl agent activate --nar 2001:db8:2::1 --coa 2001:db8:2::10"})
    static final class Activate extends ControlLeaf {
        @Option(names = "--nar", required = true, paramLabel = "ADDR", description = "The new access router's address.")
        String nar;

        @Option(names = "--coa", paramLabel = "ADDR",
                description = "The new care-of address (default: the agent works it out from the new link).")
        String coa;

        @Override
        public Integer call() throws Exception {
            ContextCommand.address(nar, "new access router");
            Map<String, String> args = new LinkedHashMap<>();
            args.put("nar", nar);
            if (coa != null) {
                ContextCommand.address(coa, "care-of");
                args.put("coa", coa);
            }
            return operation(request("activate", args));
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = {"Router: cancel a transfer (CTC); the new router drops the held context.", "",
                "On an access router: cancels a context transfer for the mobile node (Context Transfer"
                + " Cancel, CTC): the new router drops the held context and releases its reserved SPIs."},
            footer = {"%nExample:%n  cxctl agent cancel --mn 2001:db8:1::10 --peer nar"})
    static final class Cancel extends ControlLeaf {
        @Option(names = "--mn", required = true, paramLabel = "ADDR", description = "The mobile node's (care-of) address.")
        String mn;

        @Option(names = "--peer", paramLabel = "PEER",
                description = "The router holding the context (default: the one it was sent to).")
        String peer;

        @Override
        public Integer call() throws Exception {
            ContextCommand.address(mn, "mobile node");
            Map<String, String> args = new LinkedHashMap<>();
            args.put("mn", mn);
            if (peer != null) {
                args.put("peer", peer);
            }
            return operation(request("cancel", args));
        }
    }
}
