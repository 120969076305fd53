package io.cxt.agent.ha;

import static io.cxt.agent.ha.CharonHaLab.await;
import static io.cxt.agent.ha.CharonHaLab.spis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 10's performance figures, not a test (tag {@code lab-bench}: the kernel suite leaves it out; run by
 * {@code tests/bench/charon-activation}): the stock MN's IKE SA moves back and forth between pAR and nAR
 * ({@code cxt.bench.moves} moves, default 20) through the {@code bin/cxagent} daemons beside the routers' charons
 * ({@link CharonHaDaemons}), each move predictive (transfer, the new router's charon PASSIVE, the MN's CTAR). Per
 * move it reads: the new router agent's CTAR -> CTAA (its {@code context-activated} event, as the activation benchmark
 * reads it), the time from that CTAA to the new router's charon logging the SA PASSIVE -> ESTABLISHED (charon's
 * file log with millisecond time stamps; the same clock), and the time from the MN's agent having the CTAA ({@code
 * activate} returned) until the MN's charon lists the new router as its peer (polled with swanctl, each call tens of
 * ms in the lab kernel: an upper bound; it includes charon's ROAM_DELAY of 100 ms and the MOBIKE exchange). The first move is reported apart (cold:
 * the agents start without warm-up here).
 */
@Tag("lab-bench")
class CharonHaActivationBench {
    static final String ID = "hb" + ProcessHandle.current().pid() % 10000;
    static final int MOVES = Integer.getInteger("cxt.bench.moves", 20);
    private static final Pattern AGENT_MICROS = Pattern.compile("CTAR->CTAA (\\d+) us");
    private static final Pattern CHARON_ACTIVE = Pattern.compile("(?m)^(\\d+)\\.(\\d{3}) .*state change: PASSIVE => ESTABLISHED");

    @Test
    void theMobileNodesIkeSaMovesBackAndForth() throws Exception {
        try (CharonHaDaemons d = CharonHaDaemons.start(ID, true)) {
            CharonHaLab lab = d.lab;
            lab.swanctl(lab.mn, "--initiate", "--child", CharonHaLab.MN_CONN, "--ike", CharonHaLab.MN_CONN, "--timeout", "20");
            String spis = spis(lab.swanctl(lab.mn, "--list-sas"));
            await("the pAR's cxagent recorded charon's SA", () -> {
                try {
                    return d.control("par", "ike-list", Map.of()).toString().contains("ESP in");
                } catch (Exception e) {
                    return false;
                }
            });
            List<Double> agentMs = new ArrayList<>(), sentMs = new ArrayList<>(), charonMs = new ArrayList<>(),
                    mnMs = new ArrayList<>();
            for (int i = 0; i < MOVES; i++) {
                boolean out = i % 2 == 0;
                String from = out ? "par" : "nar", to = out ? "nar" : "par";
                String fromCoa = out ? CharonHaDaemons.PCOA : CharonHaDaemons.NCOA;
                String toCoa = out ? CharonHaDaemons.NCOA : CharonHaDaemons.PCOA;
                String toAddress = out ? CharonHaDaemons.NAR : CharonHaDaemons.PAR;
                String toNs = lab.router(to).ns(), fromNs = lab.router(from).ns();
                JsonNode sent = d.control(from, "transfer", Map.of("mn", fromCoa, "to", to));
                assertTrue(sent.get("ok").asBoolean(), sent.toString());
                await(to + "'s charon holds the SA PASSIVE", () -> lab.swanctl(toNs, "--list-sas").contains("PASSIVE"));
                int charonLog0 = lab.log(toNs).length();
                JsonNode activated = d.control("mn", "activate", Map.of("nar", toAddress, "coa", toCoa));
                assertTrue(activated.get("ok").asBoolean(), activated + "\n" + d.events("mn"));
                long polled = System.nanoTime();
                await("the MN's charon follows " + to, () -> lab.swanctl(lab.mn, "--list-sas").contains(toAddress + "["));
                long followedNanos = System.nanoTime();
                await(from + "'s charon lists no SA", () -> !lab.swanctl(fromNs, "--list-sas").contains(CharonHaLab.GW_CONN + ":"));
                assertEquals(spis, spis(lab.swanctl(lab.mn, "--list-sas")), "the same IKE SA");

                JsonNode e = last(d, to, "context-activated");
                Instant given = Instant.parse(last(d, to, "ike-ha-activated").get("time").asText());
                Matcher m = AGENT_MICROS.matcher(e.get("detail").asText());
                assertTrue(m.find(), e.toString());
                agentMs.add(Long.parseLong(m.group(1)) / 1000.0);
                Instant ctaa = Instant.parse(e.get("time").asText());
                Matcher c = CHARON_ACTIVE.matcher(lab.log(toNs).substring(charonLog0));
                assertTrue(c.find(), "no PASSIVE => ESTABLISHED in " + to + "'s charon log");
                long charonMillis = Long.parseLong(c.group(1)) * 1000 + Long.parseLong(c.group(2));
                double ctaaMillis = ctaa.getEpochSecond() * 1000.0 + ctaa.getNano() / 1e6;
                charonMs.add(charonMillis - ctaaMillis);
                double givenMillis = given.getEpochSecond() * 1000.0 + given.getNano() / 1e6;
                sentMs.add(givenMillis - ctaaMillis);
                mnMs.add((followedNanos - polled) / 1e6);
            }
            System.out.println(report(agentMs, sentMs, charonMs, mnMs));
        }
    }

    private static JsonNode last(CharonHaDaemons d, String router, String kind) throws Exception {
        JsonNode last = null;
        for (JsonNode e : d.control(router, "events", Map.of())) {
            if (e.get("kind").asText().equals(kind)) {
                last = e;
            }
        }
        assertTrue(last != null, d.events(router));
        return last;
    }

    static String report(List<Double> agent, List<Double> sent, List<Double> charon, List<Double> mn) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("charon-activation: %d predictive moves of a stock MN's IKE SA between two routers (first one"
                + " cold), ms%n", agent.size()));
        b.append(String.format("%-46s %8s %8s %8s %8s %8s%n", "", "cold", "p50", "p90", "max", "n warm"));
        row(b, "nAR agent CTAR->CTAA (charon owns the SAs)", agent);
        row(b, "CTAA -> activation sent to charon (event)", sent);
        row(b, "CTAA -> nAR charon ESTABLISHED (its log)", charon);
        row(b, "MN has CTAA -> its charon lists nAR (swanctl)", mn);
        return b.toString();
    }

    private static void row(StringBuilder b, String what, List<Double> v) {
        List<Double> warm = new ArrayList<>(v.subList(1, v.size()));
        Collections.sort(warm);
        b.append(String.format("%-46s %8.2f %8.2f %8.2f %8.2f %8d%n", what, v.get(0), q(warm, 0.5), q(warm, 0.9),
                warm.isEmpty() ? Double.NaN : warm.get(warm.size() - 1), warm.size()));
    }

    private static double q(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get((int) Math.min(sorted.size() - 1, Math.round(p * (sorted.size() - 1))));
    }
}
