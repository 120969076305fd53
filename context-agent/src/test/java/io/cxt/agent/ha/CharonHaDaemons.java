package io.cxt.agent.ha;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxt.agent.CxAgentProcesses;
import io.cxt.agent.control.ControlClient;
import io.cxt.agent.control.ControlException;

/**
 * A {@link CharonHaLab} of MN, pAR and nAR whose cxt parts are {@code bin/cxagent} processes, driven through their
 * control sockets as an operator's would be: the routers' agents are their charons' HA peers ({@code [charon-ha]}
 * with a roam trigger), the MN's agent sits beside the MN's stock charon ({@code [mobile] sa-owner = "charon"}). Both
 * routers serve the MN at either care-of address, so it can move back and forth. The agents start without the
 * activation warm-up and rehearsal (seconds each in the lab kernel; they only make the first activation faster).
 */
final class CharonHaDaemons implements AutoCloseable {
    static final String PCOA = "2001:db8:1::10", PAR = "2001:db8:1::1", NCOA = "2001:db8:2::10", NAR = "2001:db8:2::1";

    final CharonHaLab lab;
    private final Map<String, Process> agents = new LinkedHashMap<>();

    private CharonHaDaemons(CharonHaLab lab) {
        this.lab = lab;
    }

    /** The lab, its configuration files and the three agents, up and answering. */
    static CharonHaDaemons start(String id, boolean parRoamEvents) throws Exception {
        CharonHaLab lab = CharonHaLab.start(id, CharonHaLab.Auth.PSK, List.of(
                new CharonHaLab.Spec("par", "mp0", "mp1", parRoamEvents), new CharonHaLab.Spec("nar", "mn0", "mn1", true)),
                0, false);
        CharonHaDaemons d = new CharonHaDaemons(lab);
        try {
            Path run = lab.run;
            byte[] k = new byte[20];
            new SecureRandom().nextBytes(k);
            Files.writeString(run.resolve("mn-token.key"), HexFormat.of().formatHex(k) + "\n");
            k = new byte[32];
            new SecureRandom().nextBytes(k);
            Files.writeString(run.resolve("routers.key"), HexFormat.of().formatHex(k) + "\n");
            Files.writeString(run.resolve("par.conf"), routerConf(run, "par", PAR, 1, "nar", NAR, 2));
            Files.writeString(run.resolve("nar.conf"), routerConf(run, "nar", NAR, 2, "par", PAR, 1));
            Files.writeString(run.resolve("mn.conf"), """
                    [agent]
                    role = "mobile-node"
                    name = "mn"
                    control-socket = "%1$s/mn.sock"
                    state-directory = "%1$s/mn-state"

                    [mobile]
                    home-address = "%2$s"
                    care-of-address = "%3$s"
                    access-router = "%4$s"
                    token-key-file = "%1$s/mn-token.key"
                    transport = "icmp"
                    sa-owner = "charon"
                    """.formatted(run, CharonHaLab.HOA, PCOA, PAR));
            d.launch("mn", lab.mn);
            d.launch("par", lab.router("par").ns());
            d.launch("nar", lab.router("nar").ns());
            for (String n : d.agents.keySet()) {
                d.awaitUp(n);
            }
            return d;
        } catch (Exception | AssertionError e) {
            d.close();
            throw e;
        }
    }

    private static String routerConf(Path run, String name, String address, int senderId, String peer, String peerAddress,
            int peerSenderId) {
        return """
                [agent]
                role = "access-router"
                name = "%1$s"
                control-socket = "%7$s/%1$s.sock"
                state-directory = "%7$s/%1$s-state"

                [router]
                address = "%2$s"
                mobile-transport = "icmp"
                mobile-prefix = "%2$s/64"
                sender-id = %3$d

                [[peer]]
                name = "%4$s"
                address = "%5$s"
                transport = "udp"
                sender-id = %6$d
                key-file = "%7$s/routers.key"

                [[mobile-node]]
                address = "%8$s"
                token-key-file = "%7$s/mn-token.key"

                [[mobile-node]]
                address = "%9$s"
                token-key-file = "%7$s/mn-token.key"

                [charon-ha]
                roam-trigger-address = "%10$s"
                """.formatted(name, address, senderId, peer, peerAddress, peerSenderId, run, PCOA, NCOA,
                CharonHaLab.ROAM_TRIGGER);
    }

    private void launch(String name, String ns) throws IOException {
        agents.put(name, CxAgentProcesses.launch(ns, lab.run.resolve(name + ".conf"), lab.run.resolve(name + ".log"),
                CxAgentProcesses.JAVA_OPTS + " -Dcxt.activation-warmup=false -Dcxt.activation-rehearsal=false", Map.of()));
    }

    private void awaitUp(String name) throws Exception {
        CxAgentProcesses.awaitUp(name, agents.get(name), lab.run.resolve(name + ".sock"), () -> agentLog(name));
    }

    JsonNode control(String name, String command, Map<String, String> args) throws IOException, ControlException {
        return ControlClient.request(lab.run.resolve(name + ".sock"), command, args);
    }

    String agentLog(String name) {
        try {
            return Files.readString(lab.run.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The agent's events, a line each: kind, then detail. */
    String events(String name) {
        try {
            StringBuilder b = new StringBuilder();
            for (JsonNode e : control(name, "events", Map.of())) {
                b.append(e.get("kind").asText()).append(' ').append(e.get("detail").asText()).append('\n');
            }
            return b.toString();
        } catch (IOException | ControlException e) {
            return "(no events: " + e + ")";
        }
    }

    @Override
    public void close() {
        CxAgentProcesses.stop(agents.values());
        lab.close();
    }
}
