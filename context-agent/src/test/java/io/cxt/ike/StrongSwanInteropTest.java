package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.cxt.testing.Commands;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;
import io.cxt.xfrm.KeyBytes;

/**
 * Interop the other way round: cxt takes over one end of an IKE SA that two strongSwan charons
 * (Debian's 5.9.8) set up, as a gateway that received the IKE context would, and strongSwan at
 * the other end accepts cxt's INFORMATIONAL messages and answers them. Two namespaces, charon in
 * each; after IKE_AUTH one charon (the original initiator, or the original responder as the
 * paper's access router is) is killed with SIGKILL, so it says nothing more, and cxt binds its
 * address and UDP port 500, with the IKE SA built from the keys charon logged, the SPIs, and the
 * message IDs its log shows. Then, per proposal and role:
 * <ol>
 * <li>a tampered request (one flipped bit) gets no answer and strongSwan logs the failed check;
 * <li>an empty request (liveness check) is answered; cxt's acceptResponse verifies the answer;
 * <li>cxt's UPDATE_SPI request (Vendor ID, UPDATE_SA_ADDRESSES, UPDATE_SPI) is decrypted and
 *     answered (strongSwan ignores the payloads it does not know, MOBIKE being off);
 * <li>strongSwan deletes the Child SA: cxt accepts the request and answers with its own Delete,
 *     which strongSwan accepts (its kernel SAs go away);
 * <li>cxt deletes the IKE SA; strongSwan answers and forgets it.
 * </ol>
 * Needs the lab kernel (ESP for the Child SA) and strongSwan; run by tests/lab/run-kernel-suite.
 */
@Tag("esp-kernel")
@ExtendWith(NetnsExtension.class)
class StrongSwanInteropTest {
    private static final int IKE_PORT = 500;
    private static final int RECEIVE_TIMEOUT_MS = 10_000;

    @ParameterizedTest(name = "{0} over IPv{2}, cxt continues the original {3}")
    @CsvSource({
        "aes128-sha256-prfsha256-modp2048, aes128-sha256, 6, initiator",
        "aes128-sha256-prfsha256-modp2048, aes128-sha256, 4, responder",
        "aes256-sha512-prfsha512-modp2048, aes256-sha256, 4, initiator",
        "aes256-sha512-prfsha512-modp2048, aes256-sha256, 6, responder",
        "aes256gcm16-prfsha256-modp2048, aes256gcm16, 6, initiator",
        "aes256gcm16-prfsha256-modp2048, aes256gcm16, 6, responder"})
    void strongSwanAcceptsAndAnswersCxtsInformationalsOnItsOwnIkeSa(String ikeProposal, String espProposal,
            int family, String cxtTakesOver, TestNamespace mn, TestNamespace gw) throws Exception {
        if (!StrongSwanLab.installed()) {
            String why = "strongSwan (charon, swanctl) is not installed: run bin/install-deps";
            if ("1".equals(System.getenv("CXT_ESP_KERNEL_REQUIRED"))) {
                fail(why);
            }
            assumeTrue(false, why);
        }
        String mnAddr = family == 6 ? "2001:db8:7::1" : "192.0.2.1";
        String gwAddr = family == 6 ? "2001:db8:7::2" : "192.0.2.2";
        Commands.run("ip", "link", "add", "sw0", "netns", mn.name(), "type", "veth", "peer", "name", "sw1", "netns",
                gw.name());
        mn.ip("link", "set", "lo", "up");
        gw.ip("link", "set", "lo", "up");
        mn.ip("addr", "add", mnAddr + (family == 6 ? "/64" : "/24"), "dev", "sw0", "nodad");
        gw.ip("addr", "add", gwAddr + (family == 6 ? "/64" : "/24"), "dev", "sw1", "nodad");
        mn.ip("link", "set", "sw0", "up");
        gw.ip("link", "set", "sw1", "up");
        Path work = Files.createTempDirectory("cxt-strongswan-");

        try (StrongSwanLab mnCharon = StrongSwanLab.start(mn.name(), work.resolve("mn"));
                StrongSwanLab gwCharon = StrongSwanLab.start(gw.name(), work.resolve("gw"))) {
            mnCharon.loadConnection(mnAddr, gwAddr, true, ikeProposal, espProposal);
            gwCharon.loadConnection(gwAddr, mnAddr, false, ikeProposal, espProposal);
            mnCharon.swanctl("--initiate", "--child", "net", "--timeout", "30");
            Commands.run("ip", "netns", "exec", mn.name(), "ping", "-c", "1", "-W", "2", gwAddr);

            // What a transferred IKE context holds, from strongSwan's own account of the IKE SA.
            boolean cxtIsInitiator = cxtTakesOver.equals("initiator");
            TestNamespace cxtNs = cxtIsInitiator ? mn : gw;
            TestNamespace peerNs = cxtIsInitiator ? gw : mn;
            String cxtAddr = cxtIsInitiator ? mnAddr : gwAddr;
            String peerAddr = cxtIsInitiator ? gwAddr : mnAddr;
            StrongSwanLab replacedCharon = cxtIsInitiator ? mnCharon : gwCharon;
            StrongSwanLab peerCharon = cxtIsInitiator ? gwCharon : mnCharon;
            IkeSaContext sa = takeOver(replacedCharon.log(), peerCharon.swanctl("--list-sas"), cxtIsInitiator);
            replacedCharon.kill();
            // The dead charon's transport-mode policies cover all traffic between the two addresses;
            // charon exempted its own IKE socket with a per-socket bypass policy, which died with it.
            // cxt's socket needs the same exemption: here as policies for UDP 500 both ways.
            String prefix = family == 6 ? "/128" : "/32";
            cxtNs.ip("xfrm", "policy", "add", "src", cxtAddr + prefix, "dst", peerAddr + prefix, "proto", "udp", "sport",
                    "500", "dport", "500", "dir", "out", "priority", "1");
            cxtNs.ip("xfrm", "policy", "add", "src", peerAddr + prefix, "dst", cxtAddr + prefix, "proto", "udp", "sport",
                    "500", "dport", "500", "dir", "in", "priority", "1");
            String before = peerCharon.log();
            assertFalse(integrityFailures(before).find(), "no failed check before cxt speaks");

            SecureRandom random = new SecureRandom();
            int failuresAfterTamper;
            DatagramSocket socket = bindInside(cxtNs, cxtAddr);
            InetSocketAddress peerSocket = new InetSocketAddress(InetAddress.getByName(peerAddr), IKE_PORT);
            try {
                // 1. A tampered request: dropped by strongSwan, logged, and no answer.
                InformationalExchange.OutgoingRequest tampered = InformationalExchange.buildRequest(sa,
                        InformationalContent.empty(), random);
                byte[] bad = tampered.message();
                bad[bad.length - 3] ^= 0x10;
                send(socket, peerSocket, bad);
                assertEquals(Optional.empty(), receive(socket, 1500), "strongSwan answered a tampered request");
                waitForLog(peerCharon, integrityFailures(""));
                Thread.sleep(200);
                failuresAfterTamper = count(integrityFailures(peerCharon.log()));

                // 2. Liveness check: the same message ID, untampered.
                InformationalExchange.OutgoingRequest dpd = InformationalExchange.buildRequest(sa,
                        InformationalContent.empty(), random);
                sa = dpd.context();
                send(socket, peerSocket, dpd.message());
                InformationalExchange.AcceptedResponse dpdAnswer = InformationalExchange.acceptResponse(sa,
                        dpd.messageId(), receive(socket, RECEIVE_TIMEOUT_MS).orElseThrow(() -> new AssertionError(
                                "no answer to cxt's liveness check: " + tail(peerCharon.log()))));
                assertEquals(InformationalContent.empty(), dpdAnswer.content());
                waitForLog(peerCharon, Pattern.compile("parsed INFORMATIONAL request " + dpd.messageId() + " \\[ \\]"));

                // 3. The paper's address and SPI update: strongSwan decrypts it and ignores what it does not know.
                ChildSa child = sa.childSas().get(0);
                InformationalExchange.OutgoingRequest update = InformationalExchange.buildRequest(sa,
                        InformationalContent.addressAndSpiUpdate(List.of(new UpdateSpiNotify(ProtocolId.ESP,
                                child.inboundSpi(), 0xc7000001L, sa.ownRole()))), random);
                sa = update.context();
                send(socket, peerSocket, update.message());
                InformationalExchange.AcceptedResponse updateAnswer = InformationalExchange.acceptResponse(sa,
                        update.messageId(), receive(socket, RECEIVE_TIMEOUT_MS).orElseThrow(() -> new AssertionError(
                                "no answer to cxt's UPDATE_SPI request: " + tail(peerCharon.log()))));
                assertEquals(InformationalContent.empty(), updateAnswer.content());
                waitForLog(peerCharon, Pattern.compile("parsed INFORMATIONAL request " + update.messageId()
                        + " \\[ V N\\(UPD_SA_ADDR\\) N\\(\\S+\\) \\]"));

                // 4. strongSwan deletes the Child SA; cxt accepts the request and answers with its Delete.
                Process terminate = peerCharon.swanctlAsync("--terminate", "--child", "net", "--timeout", "20");
                byte[] request = receive(socket, RECEIVE_TIMEOUT_MS).orElseThrow(() -> new AssertionError(
                        "strongSwan sent no Delete: " + tail(peerCharon.log())));
                InformationalExchange.AcceptedRequest delete = InformationalExchange.acceptRequest(sa, request);
                assertEquals(List.of(DeletePayload.childSas(ProtocolId.ESP, child.outboundSpi())),
                        delete.content().otherPayloads());
                sa = delete.context();
                send(socket, peerSocket, InformationalExchange.buildResponse(sa, delete.messageId(),
                        new InformationalContent(false, List.of(), List.of(
                                DeletePayload.childSas(ProtocolId.ESP, child.inboundSpi()))), random));
                assertTrue(terminate.waitFor(20, TimeUnit.SECONDS), "swanctl --terminate --child did not return");
                assertEquals(0, terminate.exitValue(), () -> "swanctl --terminate --child: " + tail(peerCharon.log()));
                waitForLog(peerCharon, Pattern.compile("parsed INFORMATIONAL response " + delete.messageId()
                        + " \\[ D \\]"));
                assertEquals("", peerNs.ip("xfrm", "state").strip(), "strongSwan removed the Child SA's kernel SAs");

                // 5. cxt deletes the IKE SA.
                InformationalExchange.OutgoingRequest deleteIke = InformationalExchange.buildRequest(sa,
                        new InformationalContent(false, List.of(), List.of(DeletePayload.ikeSa())), random);
                sa = deleteIke.context();
                send(socket, peerSocket, deleteIke.message());
                InformationalExchange.AcceptedResponse deleteAnswer = InformationalExchange.acceptResponse(sa,
                        deleteIke.messageId(), receive(socket, RECEIVE_TIMEOUT_MS).orElseThrow(() -> new AssertionError(
                                "no answer to cxt's IKE SA Delete: " + tail(peerCharon.log()))));
                assertEquals(InformationalContent.empty(), deleteAnswer.content());
                waitForLog(peerCharon, Pattern.compile("IKE_SA deleted"));
                assertEquals("", peerCharon.swanctl("--list-sas").strip(), "strongSwan forgot the IKE SA");
            } finally {
                socket.close();
            }
            // strongSwan's account of the exchanges, for the report.
            System.out.println("strongSwan (" + ikeProposal + ", original " + (cxtIsInitiator ? "responder" : "initiator")
                    + ") on cxt's messages:");
            peerCharon.log().lines().filter(l -> l.matches("^\\d+\\[(ENC|IKE)\\] (parsed|generating|integrity|received DELETE"
                    + "|verifying|could not).*")).forEach(l -> System.out.println("  " + l));
            // The failed checks are the tampered message's; none for cxt's real messages.
            assertEquals(failuresAfterTamper, count(integrityFailures(peerCharon.log())),
                    () -> "strongSwan failed to verify a message of cxt's: " + tail(peerCharon.log()));
        }
    }

    /**
     * The IKE SA as the killed charon held it: keys, Child SA SPIs and message IDs from its log,
     * IKE SPIs from the surviving peer.
     */
    private static IkeSaContext takeOver(String killedLog, String peerSas, boolean originalInitiator) {
        IkeAlgorithms alg = StrongSwanVectors.algorithms(
                StrongSwanLab.find(killedLog, "selected proposal: (IKE:\\S+)"));
        Map<String, byte[]> dumps = StrongSwanLab.dumps(killedLog);
        IkeKeys keys = new IkeKeys(key(dumps, "Sk_d secret"), key(dumps, "Sk_ai secret"), key(dumps, "Sk_ar secret"),
                key(dumps, "Sk_ei secret"), key(dumps, "Sk_er secret"), key(dumps, "Sk_pi secret"),
                key(dumps, "Sk_pr secret"));
        Matcher spis = Pattern.compile("([0-9a-f]{16})_i\\*? ([0-9a-f]{16})_r").matcher(peerSas);
        if (!spis.find()) {
            throw new IllegalStateException("no IKE SA in swanctl --list-sas: " + peerSas);
        }
        long childIn = Long.parseLong(StrongSwanLab.find(killedLog, "established with SPIs ([0-9a-f]{8})_i"), 16);
        long childOut = Long.parseLong(StrongSwanLab.find(killedLog, "established with SPIs [0-9a-f]{8}_i ([0-9a-f]{8})_o"), 16);
        List<Long> sent = StrongSwanLab.requestIds(killedLog, "generating");
        List<Long> received = StrongSwanLab.requestIds(killedLog, "parsed");
        IkeMessageIds ids = new IkeMessageIds(sent.stream().mapToLong(Long::longValue).max().orElse(-1) + 1,
                received.stream().mapToLong(Long::longValue).max().orElse(-1) + 1);
        assertEquals(originalInitiator ? new IkeMessageIds(2, 0) : new IkeMessageIds(0, 2), ids,
                "IKE_SA_INIT and IKE_AUTH were the only requests, both the initiator's");
        PadEntry peer = new PadEntry(IdentityType.ID_RFC822_ADDR,
                (originalInitiator ? "responder@cxt.test" : "initiator@cxt.test").getBytes(),
                AuthMethod.SHARED_KEY_MIC, new PeerCredential.PreSharedKey(KeyBytes.of(StrongSwanLab.PSK.getBytes())));
        return new IkeSaContext(Long.parseUnsignedLong(spis.group(1), 16), Long.parseUnsignedLong(spis.group(2), 16),
                originalInitiator, alg, keys, Optional.empty(), ids, new IkeLifetime(0, 0, 0), peer,
                List.of(new ChildSa(ProtocolId.ESP, childIn, childOut)));
    }

    private static KeyBytes key(Map<String, byte[]> dumps, String name) {
        byte[] k = dumps.get(name);
        if (k == null && (name.equals("Sk_ai secret") || name.equals("Sk_ar secret"))) {
            return KeyBytes.EMPTY; // AEAD: strongSwan has no integrity keys to log
        }
        if (k == null) {
            throw new IllegalStateException("charon's log has no " + name + " dump");
        }
        return KeyBytes.of(k);
    }

    private static int count(Matcher m) {
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static Matcher integrityFailures(String log) {
        return Pattern.compile("(?i)integrity check failed|verification failed|could not decrypt|"
                + "invalid ICV|decryption failed").matcher(log);
    }

    private static void waitForLog(StrongSwanLab charon, Pattern pattern) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (pattern.matcher(charon.log()).find()) {
                return;
            }
            Thread.sleep(50);
        }
        fail("strongSwan's log never showed " + pattern + ": " + tail(charon.log()));
    }

    private static void waitForLog(StrongSwanLab charon, Matcher matcher) throws InterruptedException {
        waitForLog(charon, matcher.pattern());
    }

    private static String tail(String log) {
        List<String> lines = log.lines().filter(l -> !l.matches("^\\d+\\[\\w+\\]\\s+\\d+: .*")).toList();
        return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
    }

    private static DatagramSocket bindInside(TestNamespace ns, String address) throws IOException {
        DatagramSocket[] socket = new DatagramSocket[1];
        ns.netns().runInside(() -> {
            socket[0] = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), IKE_PORT));
            return 0;
        });
        return socket[0];
    }

    private static void send(DatagramSocket socket, InetSocketAddress to, byte[] message) throws IOException {
        socket.send(new DatagramPacket(message, message.length, to));
    }

    private static Optional<byte[]> receive(DatagramSocket socket, int timeoutMs) throws IOException {
        byte[] buffer = new byte[65535];
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        socket.setSoTimeout(timeoutMs);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        }
        return Optional.of(Arrays.copyOf(buffer, p.getLength()));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
