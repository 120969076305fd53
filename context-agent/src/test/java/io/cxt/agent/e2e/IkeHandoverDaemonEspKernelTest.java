package io.cxt.agent.e2e;

import static io.cxt.agent.e2e.DaemonLab.HOA;
import static io.cxt.agent.e2e.DaemonLab.MN_IN_SPI;
import static io.cxt.agent.e2e.DaemonLab.MN_OUT_SPI;
import static io.cxt.agent.e2e.DaemonLab.NAR;
import static io.cxt.agent.e2e.DaemonLab.NCOA;
import static io.cxt.agent.e2e.DaemonLab.PAR_NEXT_REQUEST;
import static io.cxt.agent.e2e.DaemonLab.PCOA;
import static io.cxt.agent.e2e.DaemonLab.address;
import static io.cxt.agent.e2e.DaemonLab.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxt.agent.e2e.DaemonLab.Node;
import io.cxt.ike.IkeMessageIds;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.IkeSaContextJson;
import io.cxt.ike.InformationalContent;
import io.cxt.ike.InformationalExchange;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.SpiOwner;
import io.cxt.ike.UpdateSpiNotify;
import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.SecurityAssociation;

/**
 * Issues 5 and 6 end to end with the REAL daemons: three {@code bin/cxagent} processes (MN, pAR,
 * nAR) in namespaces of the lab kernel, real ESP SAs, traffic MN (HoA) <-> CN, driven through the
 * control sockets (see {@link DaemonLab}, the topology of tests/lab/handover-demo-guest).
 *
 * <ul>
 * <li>For each SAD lookup case, a predictive handover with an SPI collision forced on the nAR ends
 * with traffic on the nAR-allocated SPI at both ends, the UPDATE_SPI exchange acknowledged, and the
 * IKE message IDs continuing from the pAR's (issue 6 item 5).</li>
 * <li>A tampered and a replayed INFORMATIONAL change nothing on the MN (issue 6).</li>
 * <li>Algorithm 1 gives up when the MN never answers (issue 6).</li>
 * <li>kill -9 of the nAR's agent holding a predictively transferred context, restart: nothing left
 * in its kernel, the next handover works (issue 5 item 7).</li>
 * </ul>
 * One lab (three JVMs) per test method; the extra scenarios share the lookup cases' labs.
 */
@Tag("esp-kernel")
class IkeHandoverDaemonEspKernelTest {

    private static final Duration IKE_WAIT = Duration.ofSeconds(45);

    /** The MN's IKE SA message IDs as ike-show prints them: "toSend / expected". */
    private static String ids(long toSend, long expected) {
        return toSend + " / " + expected;
    }

    private static String spiHex(int spi) {
        return String.format("0x%08x", spi);
    }

    private static void addCollidingSa(DaemonLab lab, String src, String dst) {
        lab.ipOrFail(Node.NAR, "xfrm", "state", "add", "src", src, "dst", dst, "proto", "esp", "spi",
                spiHex(MN_OUT_SPI), "reqid", "9", "mode", "tunnel", "enc", "cbc(aes)", "0x" + DaemonLab.hex(16),
                "auth-trunc", "hmac(sha256)", "0x" + DaemonLab.hex(32), "128");
    }

    private static long packets(DaemonLab lab, Node n, SaKey key) throws IOException {
        return lab.xfrm(n).states().get(key).info().current().packets();
    }

    /** Predictive transfer pAR -> nAR, link move, activation from the MN; returns the activation result. */
    private static JsonNode predictiveHandover(DaemonLab lab) throws Exception {
        JsonNode t = lab.control(Node.PAR, "transfer", Map.of("mn", PCOA, "to", "nar"));
        assertTrue(t.get("ok").asBoolean(), "transfer: " + t);
        awaitHeld(lab);
        lab.attachToNar();
        JsonNode a = lab.control(Node.MN, "activate", Map.of("nar", NAR, "coa", NCOA));
        assertTrue(a.get("ok").asBoolean(), "activate: " + a + lab.diagnostics());
        return a;
    }

    private static void awaitHeld(DaemonLab lab) throws Exception {
        await("the nAR holds the MN's context", Duration.ofSeconds(15), () -> {
            for (JsonNode c : lab.control(Node.NAR, "contexts")) {
                if (c.get("state").asText().equals("HELD")) {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * Issue 6 item 5 for one lookup case, after the collision SA was added: the handover ends with
     * traffic on the new SPI at both ends. Returns the SPI the nAR allocated.
     */
    private static int handoverEndsOnNewSpis(DaemonLab lab) throws Exception {
        predictiveHandover(lab);
        try {
            await("the MN applied the nAR's UPDATE_SPI", IKE_WAIT, () -> lab.hasEvent(Node.MN, "spi-update-applied"));
            await("the nAR got the UPDATE_SPI acknowledged", IKE_WAIT,
                    () -> lab.hasEvent(Node.NAR, "spi-update-acknowledged"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nnAR events: " + lab.events(Node.NAR) + "\nMN events: "
                    + lab.events(Node.MN) + lab.diagnostics(), e);
        }
        assertTrue(lab.events(Node.NAR).stream().anyMatch(e -> e.startsWith("spi-update-sent ")), "nAR sent UPDATE_SPI");

        // The SPI the nAR allocated for the MN's outbound SA (the old one was taken there).
        List<SecurityAssociation> narIn = lab.xfrm(Node.NAR).states().dump().stream()
                .filter(sa -> sa.destination().equals(address(NAR)) && sa.source().equals(address(NCOA))
                        && sa.spi() != MN_OUT_SPI)
                .toList();
        assertEquals(1, narIn.size(), "one inbound SA for the MN on the nAR\n" + lab.diagnostics());
        int newSpi = narIn.get(0).spi();
        assertNotEquals(MN_OUT_SPI, newSpi);

        // The MN sends on the nAR's SPI, not on the old one.
        List<SecurityAssociation> mnOut = lab.xfrm(Node.MN).states().dump().stream()
                .filter(sa -> sa.destination().equals(address(NAR))).toList();
        assertEquals(1, mnOut.size(), "one outbound SA on the MN\n" + lab.diagnostics());
        assertEquals(newSpi, mnOut.get(0).spi(), "MN outbound SPI after UPDATE_SPI");
        assertEquals(address(NCOA), mnOut.get(0).source());

        SaKey narInKey = SaKey.of(address(NCOA), address(NAR), newSpi, 50);
        SaKey narOutKey = SaKey.of(address(NAR), address(NCOA), MN_IN_SPI, 50);
        SaKey mnOutKey = SaKey.of(address(NCOA), address(NAR), newSpi, 50);
        SaKey mnInKey = SaKey.of(address(NAR), address(NCOA), MN_IN_SPI, 50);
        long narInBefore = packets(lab, Node.NAR, narInKey);
        long narOutBefore = packets(lab, Node.NAR, narOutKey);
        long mnOutBefore = packets(lab, Node.MN, mnOutKey);
        long mnInBefore = packets(lab, Node.MN, mnInKey);
        assertTrue(lab.ping(3), "ping HoA -> CN through the nAR on the new SPI" + lab.diagnostics());
        assertTrue(packets(lab, Node.NAR, narInKey) >= narInBefore + 3, "nAR inbound SA (new SPI) counters rising");
        assertTrue(packets(lab, Node.MN, mnOutKey) >= mnOutBefore + 3, "MN outbound SA (new SPI) counters rising");
        assertTrue(packets(lab, Node.NAR, narOutKey) >= narOutBefore + 3, "CN -> MN: nAR outbound counters rising");
        assertTrue(packets(lab, Node.MN, mnInKey) >= mnInBefore + 3, "CN -> MN: MN inbound counters rising");

        // Message IDs continue across the transfer: the nAR's request used the pAR's next ID.
        JsonNode mnIke = lab.ikeShow(Node.MN);
        assertEquals(ids(2, PAR_NEXT_REQUEST + 1), mnIke.get("messageIds").asText(), "MN " + mnIke);
        JsonNode narIke = lab.ikeShow(Node.NAR);
        assertEquals(ids(PAR_NEXT_REQUEST + 1, 2), narIke.get("messageIds").asText(), "nAR " + narIke);
        assertTrue(lab.events(Node.MN).stream().anyMatch(e -> e.startsWith("spi-update-applied")
                && e.contains("message " + PAR_NEXT_REQUEST + " ")), "MN applied message " + PAR_NEXT_REQUEST
                + ": " + lab.events(Node.MN));
        String child = String.format("0x%08x", newSpi);
        assertTrue(mnIke.get("childSas").toString().contains(child), "MN's IKE SA governs the new child SPI: " + mnIke);
        // The pAR let go of the MN after the CTDR.
        await("the pAR removed the MN's SAs", Duration.ofSeconds(15),
                () -> lab.xfrm(Node.PAR).states().dump().isEmpty());
        return newSpi;
    }

    // ------------------------------------------------------------------ lookup cases

    /** Lookup by SPI only: the colliding SA has another destination (an other address of the nAR). */
    @Test
    void spiLookupRestartMidTransferThenCollidingHandoverRunsOnNewSpis() throws Exception {
        try (DaemonLab lab = new DaemonLab("e2s", DaemonLab.Options.lookup("spi"))) {
            lab.startAgents();
            assertTrue(lab.ping(2), "traffic through the pAR before the handover" + lab.diagnostics());
            addCollidingSa(lab, "2001:db8:b::99", "2001:db8:f2::1");
            narRestartMidTransferLeavesNothing(lab);
            handoverEndsOnNewSpis(lab);
        }
    }

    /** Lookup by SPI and destination (the demo's case); then tampered and replayed INFORMATIONALs. */
    @Test
    void spiDstLookupCollidingHandoverRunsOnNewSpisAndForgedInformationalsChangeNothing() throws Exception {
        try (DaemonLab lab = new DaemonLab("e2d", DaemonLab.Options.lookup("spi-dst"))) {
            lab.startAgents();
            addCollidingSa(lab, "2001:db8:b::99", NAR);
            int newSpi = handoverEndsOnNewSpis(lab);
            tamperedAndReplayedInformationalsAreRejected(lab, newSpi);
        }
    }

    /** Lookup by SPI, destination and source: the colliding SA has the MN's new CoA as source. */
    @Test
    void spiDstSrcLookupCollidingHandoverRunsOnNewSpis() throws Exception {
        try (DaemonLab lab = new DaemonLab("e2r", DaemonLab.Options.lookup("spi-dst-src"))) {
            lab.startAgents();
            addCollidingSa(lab, NCOA, NAR);
            handoverEndsOnNewSpis(lab);
        }
    }

    // ------------------------------------------------------------------ Algorithm 1 fallback

    /**
     * The MN's agent listens for IKE on 4500, the routers send to 500: the MN never answers. The
     * nAR gives up after its TIMER (3 s): event, hook run, the old SAs stay on both sides.
     */
    @Test
    void algorithm1FallsBackWhenTheMnNeverAnswers() throws Exception {
        try (DaemonLab lab = new DaemonLab("e2f", new DaemonLab.Options("spi-dst", 4500, "3s", 2, true))) {
            lab.startAgents();
            addCollidingSa(lab, "2001:db8:b::99", NAR);
            predictiveHandover(lab);
            List<String> narAfterActivation = lab.dump(Node.NAR);
            List<String> mnAfterActivation = lab.dump(Node.MN);
            await("the nAR gave up (full IKEv2 negotiation required)", IKE_WAIT,
                    () -> lab.hasEvent(Node.NAR, "ike-full-negotiation-required"));
            assertFalse(lab.hasEvent(Node.NAR, "spi-update-acknowledged"));
            assertFalse(lab.hasEvent(Node.MN, "spi-update-applied"));
            assertTrue(lab.stat(Node.NAR, "ike.sent.messages") >= 2, "the request was retransmitted");
            // The old SAs stay: nothing removed or changed on either side by the give-up.
            assertEquals(narAfterActivation, lab.dump(Node.NAR));
            assertEquals(mnAfterActivation, lab.dump(Node.MN));
            List<SecurityAssociation> mnOut = lab.xfrm(Node.MN).states().dump().stream()
                    .filter(sa -> sa.destination().equals(address(NAR))).toList();
            assertEquals(1, mnOut.size());
            assertEquals(MN_OUT_SPI, mnOut.get(0).spi(), "MN still on its old outbound SPI");
            assertEquals(ids(2, PAR_NEXT_REQUEST), lab.ikeShow(Node.MN).get("messageIds").asText());
            Path hook = lab.run.resolve("nar-fallback-hook.out");
            await("the fallback hook ran", Duration.ofSeconds(5), () -> Files.exists(hook) && Files.size(hook) > 0);
            String mn = Files.readString(hook).strip();
            assertTrue(mn.equals(NCOA) || mn.equals(HOA) || mn.equals(PCOA), "hook got the MN's address: " + mn);
        }
    }

    // ------------------------------------------------------------------ restart (issue 5 item 7)

    /**
     * kill -9 of the nAR's agent while it holds a predictively transferred context (SPI reserved:
     * larval SA in its kernel), restart with the same config and state directory: the reservation
     * is removed. The pAR's transfer is then cancelled/redone by the caller's handover.
     */
    private static void narRestartMidTransferLeavesNothing(DaemonLab lab) throws Exception {
        List<String> clean = lab.dump(Node.NAR);
        JsonNode t = lab.control(Node.PAR, "transfer", Map.of("mn", PCOA, "to", "nar"));
        assertTrue(t.get("ok").asBoolean(), "transfer: " + t);
        awaitHeld(lab);
        List<String> held = lab.dump(Node.NAR);
        assertNotEquals(clean, held, "the held context reserved SPIs (larval SAs) on the nAR");
        Path journal = lab.stateDirectory(Node.NAR).resolve("nar.journal");
        await("the nAR journaled its reservation", Duration.ofSeconds(10),
                () -> Files.exists(journal) && Files.readString(journal).contains("sa "));

        lab.kill9(Node.NAR);
        assertEquals(held, lab.dump(Node.NAR), "the dead agent left its reservation in the kernel");

        lab.launch(Node.NAR);
        lab.awaitUp(Node.NAR);
        assertEquals(clean, lab.dump(Node.NAR), "no orphan SA or policy after the restart\n" + lab.log(Node.NAR));
        assertTrue(lab.hasEvent(Node.NAR, "reconciled"), "restart reconciled: " + lab.events(Node.NAR));
        assertTrue(lab.control(Node.NAR, "contexts").isEmpty(), "the restarted nAR holds nothing");
        // The pAR still believes in its first transfer; an operator cancels it before the next one.
        JsonNode c = lab.control(Node.PAR, "cancel", Map.of("mn", PCOA, "peer", "nar"));
        assertTrue(c.get("ok").asBoolean(), "cancel: " + c);
        assertEquals(clean, lab.dump(Node.NAR));
    }

    /**
     * After a completed handover (the nAR sent its CTDR to the pAR), kill -9 and restart the nAR:
     * what it then sends the pAR must still be accepted. The restarted agent's router-channel
     * counter must not restart below what the pAR has already seen from it, or the pAR drops its
     * messages as replays (here: a predictive transfer back to the pAR, whose PCTD is not
     * retransmitted).
     */
    @Test
    void aRestartedNarIsStillHeardByThePar() throws Exception {
        try (DaemonLab lab = new DaemonLab("e2k", DaemonLab.Options.lookup("spi-dst"))) {
            lab.startAgents();
            predictiveHandover(lab);
            await("the pAR removed the MN's SAs after the nAR's CTDR", Duration.ofSeconds(15),
                    () -> lab.xfrm(Node.PAR).states().dump().isEmpty());
            long accepted = lab.stat(Node.PAR, "router.protection.accepted");
            assertTrue(accepted >= 1, "the pAR accepted envelopes from the nAR: " + lab.control(Node.PAR, "stats"));
            List<String> narActive = lab.dump(Node.NAR);

            lab.kill9(Node.NAR);
            lab.launch(Node.NAR);
            lab.awaitUp(Node.NAR);
            assertEquals(narActive, lab.dump(Node.NAR), "the restart keeps the MN's active context in the kernel");

            // The restarted agent lost the transferred IKE SA (kept in memory only) and with it the
            // MN's token key (token-key-source = "ike"): give it back as an operator would.
            lab.control(Node.NAR, "ike-import", Map.of("mn", NCOA, "json", lab.parIkeJson));
            JsonNode t = lab.control(Node.NAR, "transfer", Map.of("mn", NCOA, "to", "par"));
            assertTrue(t.get("ok").asBoolean(), "transfer back: " + t);
            try {
                await("the pAR holds the context the restarted nAR pushed", Duration.ofSeconds(10), () -> {
                    for (JsonNode c : lab.control(Node.PAR, "contexts")) {
                        if (c.get("state").asText().equals("HELD")) {
                            return true;
                        }
                    }
                    return false;
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; pAR stats " + lab.control(Node.PAR, "stats")
                        + "\n" + lab.log(Node.PAR), e);
            }
        }
    }

    // ------------------------------------------------------------------ tampered / replayed

    private static final class IkeProbe implements AutoCloseable {
        final DatagramSocket socket;
        final InetSocketAddress mn = new InetSocketAddress(address(NCOA), 500);

        IkeProbe(DaemonLab lab) throws IOException {
            DatagramSocket[] holder = new DatagramSocket[1];
            // A socket made inside the nAR's namespace stays there (the nAR agent holds port 500).
            lab.netns(Node.NAR).runInside(() -> {
                holder[0] = new DatagramSocket(new InetSocketAddress(address(NAR), 0));
                return 0;
            });
            socket = holder[0];
        }

        /** Sends; the response, or null if none came within {@code wait}. */
        byte[] exchange(byte[] request, Duration wait) throws IOException {
            socket.send(new DatagramPacket(request, request.length, mn));
            socket.setSoTimeout((int) wait.toMillis());
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                return Arrays.copyOf(buf, p.getLength());
            } catch (SocketTimeoutException e) {
                return null;
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static void tamperedAndReplayedInformationalsAreRejected(DaemonLab lab, int newSpi) throws Exception {
        SecureRandom random = new SecureRandom();
        long expected = PAR_NEXT_REQUEST + 1;
        IkeSaContext router = IkeSaContextJson.read(lab.parIkeJson).withMessageIds(new IkeMessageIds(expected, 2));
        // What a forger would like the MN to do: go back to the colliding SPI.
        InformationalContent revert = InformationalContent.addressAndSpiUpdate(List.of(
                new UpdateSpiNotify(ProtocolId.ESP, Integer.toUnsignedLong(newSpi), Integer.toUnsignedLong(MN_OUT_SPI),
                        SpiOwner.RESPONDER)));
        List<String> sad = lab.dump(Node.MN);
        try (IkeProbe probe = new IkeProbe(lab)) {
            // A genuine request (empty INFORMATIONAL, message ID 6) is answered: the probe works.
            InformationalExchange.OutgoingRequest genuine = InformationalExchange.buildRequest(router,
                    InformationalContent.empty(), random);
            byte[] response = probe.exchange(genuine.message(), Duration.ofSeconds(5));
            assertNotNull(response, "the MN answers a genuine INFORMATIONAL" + lab.diagnostics());
            InformationalExchange.acceptResponse(router, expected, response);
            assertEquals(ids(2, expected + 1), lab.ikeShow(Node.MN).get("messageIds").asText());

            // Sent again unchanged: a retransmission, answered from the cache, not processed again.
            long retransmissions = lab.stat(Node.MN, "ike.responder.retransmissions-answered");
            assertArrayEquals(response, probe.exchange(genuine.message(), Duration.ofSeconds(5)));
            assertEquals(retransmissions + 1, lab.stat(Node.MN, "ike.responder.retransmissions-answered"));

            long replayed = lab.stat(Node.MN, "ike.responder.replayed-message-id");
            long integrity = lab.stat(Node.MN, "ike.responder.integrity-check-failed");
            // Replays: the already processed message ID 6 with other content, and the nAR's ID 5.
            byte[] replay6 = InformationalExchange.buildRequest(router, revert, random).message();
            assertNull(probe.exchange(replay6, Duration.ofSeconds(1)), "replayed ID 6 answered");
            byte[] replay5 = InformationalExchange.buildRequest(
                    router.withMessageIds(new IkeMessageIds(PAR_NEXT_REQUEST, 2)), revert, random).message();
            assertNull(probe.exchange(replay5, Duration.ofSeconds(1)), "replayed ID 5 answered");
            assertEquals(replayed + 2, lab.stat(Node.MN, "ike.responder.replayed-message-id"),
                    String.valueOf(lab.control(Node.MN, "stats")));

            // Tampered: the next message ID, one bit of the ICV flipped.
            byte[] tampered = InformationalExchange.buildRequest(
                    router.withMessageIds(new IkeMessageIds(expected + 1, 2)), revert, random).message();
            tampered[tampered.length - 1] ^= 0x01;
            assertNull(probe.exchange(tampered, Duration.ofSeconds(1)), "tampered request answered");
            // Tampered in the encrypted part (first octet after the IV of the SK payload).
            byte[] tampered2 = InformationalExchange.buildRequest(
                    router.withMessageIds(new IkeMessageIds(expected + 1, 2)), revert, random).message();
            tampered2[28 + 4 + 16] ^= (byte) 0x80;
            assertNull(probe.exchange(tampered2, Duration.ofSeconds(1)), "tampered request answered");
            assertEquals(integrity + 2, lab.stat(Node.MN, "ike.responder.integrity-check-failed"),
                    String.valueOf(lab.control(Node.MN, "stats")));

            // Nothing changed: SAD/SPD identical, the IKE SA's message IDs unchanged, no second apply.
            assertEquals(sad, lab.dump(Node.MN));
            assertEquals(ids(2, expected + 1), lab.ikeShow(Node.MN).get("messageIds").asText());
            assertEquals(1, lab.events(Node.MN).stream().filter(e -> e.startsWith("spi-update-applied")
                    && e.contains("SPI")).count(), "only the nAR's update applied: " + lab.events(Node.MN));
            assertTrue(lab.events(Node.MN).stream().filter(e -> e.startsWith("ike-rejected ")).count() >= 4);
            // Traffic still runs on the nAR's SPI.
            assertTrue(lab.ping(2), "traffic after the forged messages" + lab.diagnostics());
        }
    }
}
