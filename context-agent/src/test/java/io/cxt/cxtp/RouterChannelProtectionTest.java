package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import io.cxt.cxtp.RouterChannelProtection.Accepted;
import io.cxt.cxtp.RouterChannelProtection.Opened;
import io.cxt.cxtp.RouterChannelProtection.Rejected;
import io.cxt.cxtp.RouterChannelProtection.RejectionReason;
import io.cxt.xfrm.KeyBytes;

class RouterChannelProtectionTest {

    static final int PAR = 0x0a000001;
    static final int NAR = 0x0a000002;
    static final InetSocketAddress PAR_ADDR = new InetSocketAddress("192.0.2.1", 5091);
    static final InetSocketAddress NAR_ADDR = new InetSocketAddress("192.0.2.2", 5091);
    static final KeyBytes KEY = KeyBytes.ofHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

    static RouterChannelProtection par() {
        // Counters from 0, so the tests can name them; the agent's channels start from the clock.
        RouterChannelProtection p = new RouterChannelProtection(PAR, RouterChannelProtection.DEFAULT_WINDOW, 0);
        p.addPeer(new RouterPeer(NAR, NAR_ADDR, KEY));
        return p;
    }

    static RouterChannelProtection nar() {
        RouterChannelProtection n = new RouterChannelProtection(NAR);
        n.addPeer(new RouterPeer(PAR, PAR_ADDR, KEY));
        return n;
    }

    static final byte[] MESSAGE = CxtpCodec.encode(new ContextTransferCancel(CxtpCodecFiguresTest.MN6));

    static RejectionReason reason(Opened o) {
        return assertInstanceOf(Rejected.class, o).reason();
    }

    @Test
    void envelopeLayoutAndRoundTrip() {
        byte[] env = par().sealFor(NAR_ADDR, MESSAGE);
        assertEquals(16 + MESSAGE.length + 16, env.length);
        assertEquals(1, env[0]);
        assertArrayEquals(new byte[] {0, 0, 0}, Arrays.copyOfRange(env, 1, 4));
        assertArrayEquals(new byte[] {0x0a, 0, 0, 1}, Arrays.copyOfRange(env, 4, 8), "sender id");
        assertArrayEquals(new byte[8], Arrays.copyOfRange(env, 8, 16), "first counter is 0");
        assertFalse(Arrays.equals(MESSAGE, Arrays.copyOfRange(env, 16, 16 + MESSAGE.length)), "encrypted");
        Accepted a = assertInstanceOf(Accepted.class, nar().open(PAR_ADDR, env));
        assertArrayEquals(MESSAGE, a.plaintext());
        assertEquals(PAR, a.senderId());
        assertEquals(0, a.counter());
    }

    /** The JDK's AES-GCM with nonce = octets 4..15 and AAD = octets 0..15 opens our envelopes. */
    @Test
    void envelopeIsStandardAesGcm() throws Exception {
        RouterChannelProtection p = par();
        p.seal(NAR, MESSAGE);
        byte[] env = p.seal(NAR, MESSAGE);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(KEY.bytes(), "AES"),
                new GCMParameterSpec(128, Arrays.copyOfRange(env, 4, 16)));
        c.updateAAD(Arrays.copyOfRange(env, 0, 16));
        assertArrayEquals(MESSAGE, c.doFinal(env, 16, env.length - 16));
        assertEquals(1, env[15], "second envelope has counter 1");
    }

    @Test
    void everyTamperedOctetIsRejectedAndDoesNotPoisonTheWindow() {
        RouterChannelProtection sender = par();
        RouterChannelProtection receiver = nar();
        byte[] env = sender.seal(NAR, MESSAGE);
        for (int i = 0; i < env.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] t = env.clone();
                t[i] ^= (byte) (1 << bit);
                Opened o = receiver.open(PAR_ADDR, t);
                RejectionReason r = reason(o);
                RejectionReason expected = i == 0 ? RejectionReason.UNSUPPORTED_VERSION
                        : i < 4 ? RejectionReason.MALFORMED
                        : i < 8 ? RejectionReason.UNKNOWN_PEER
                        : i == 8 && bit == 7 ? RejectionReason.MALFORMED
                        : RejectionReason.BAD_TAG;
                assertEquals(expected, r, "octet " + i + " bit " + bit);
            }
        }
        assertEquals(0, receiver.acceptedCount());
        assertEquals(env.length * 8L, receiver.rejectedCount());
        // Forged high counters were not committed: the genuine envelope still opens.
        assertInstanceOf(Accepted.class, receiver.open(PAR_ADDR, env));
    }

    @Test
    void truncatedAndEmptyEnvelopesAreMalformed() {
        RouterChannelProtection receiver = nar();
        byte[] env = par().seal(NAR, MESSAGE);
        for (int n = 0; n < 32; n++) {
            assertEquals(RejectionReason.MALFORMED, reason(receiver.open(PAR_ADDR, Arrays.copyOf(env, n))), "length " + n);
        }
        assertEquals(RejectionReason.MALFORMED, reason(receiver.open(PAR_ADDR, null)));
        assertEquals(RejectionReason.BAD_TAG, reason(receiver.open(PAR_ADDR, Arrays.copyOf(env, env.length - 1))));
    }

    @Test
    void replayIsRejected() {
        RouterChannelProtection receiver = nar();
        byte[] env = par().seal(NAR, MESSAGE);
        assertInstanceOf(Accepted.class, receiver.open(PAR_ADDR, env));
        assertEquals(RejectionReason.REPLAYED, reason(receiver.open(PAR_ADDR, env)));
        assertEquals(RejectionReason.REPLAYED, reason(receiver.open(PAR_ADDR, env)));
        assertEquals(2, receiver.rejectedCount(RejectionReason.REPLAYED));
        assertEquals(1, receiver.acceptedCount());
    }

    @Test
    void reorderWithinTheWindowIsAcceptedOnceEach() {
        RouterChannelProtection sender = par();
        RouterChannelProtection receiver = nar();
        List<byte[]> envs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            envs.add(sender.seal(NAR, MESSAGE));
        }
        Collections.shuffle(envs, new Random(4067));
        for (byte[] e : envs) {
            assertInstanceOf(Accepted.class, receiver.open(PAR_ADDR, e));
        }
        for (byte[] e : envs) {
            assertEquals(RejectionReason.REPLAYED, reason(receiver.open(PAR_ADDR, e)));
        }
        assertEquals(64, receiver.acceptedCount());
    }

    /** A router that restarts keeps being heard: its new run's counters start above the old run's. */
    @Test
    void aRestartedSenderIsNotTakenForAReplay() throws Exception {
        RouterChannelProtection receiver = nar();
        RouterChannelProtection firstRun = new RouterChannelProtection(PAR);
        firstRun.addPeer(new RouterPeer(NAR, NAR_ADDR, KEY));
        Accepted last = null;
        for (int i = 0; i < 1000; i++) {
            last = assertInstanceOf(Accepted.class, receiver.open(PAR_ADDR, firstRun.seal(NAR, MESSAGE)));
        }
        Thread.sleep(2);
        RouterChannelProtection secondRun = new RouterChannelProtection(PAR);
        secondRun.addPeer(new RouterPeer(NAR, NAR_ADDR, KEY));
        Accepted again = assertInstanceOf(Accepted.class, receiver.open(PAR_ADDR, secondRun.seal(NAR, MESSAGE)),
                "the restarted router's first envelope is accepted");
        assertTrue(again.counter() > last.counter());
        assertEquals(System.currentTimeMillis() << 20 >> 40, again.counter() >> 40, "clock-based start");
        assertEquals(0, RouterChannelProtection.restartSafeFirstCounter(-5));
    }

    @Test
    void tooOldIsRejected() {
        RouterChannelProtection sender = par();
        RouterChannelProtection receiver = nar();
        byte[] first = sender.seal(NAR, MESSAGE);         // counter 0
        byte[] second = sender.seal(NAR, MESSAGE);        // counter 1
        for (int i = 2; i < 64; i++) {
            sender.seal(NAR, MESSAGE);
        }
        byte[] c64 = sender.seal(NAR, MESSAGE);           // counter 64
        assertInstanceOf(Accepted.class, receiver.open(PAR_ADDR, c64));
        assertEquals(RejectionReason.TOO_OLD, reason(receiver.open(PAR_ADDR, first)), "64 behind a 64-window");
        assertInstanceOf(Accepted.class, receiver.open(PAR_ADDR, second), "63 behind is inside the window");
        // A far jump ahead clears the window; the old one stays too old.
        sender.continueCounterAt(10_000);
        assertInstanceOf(Accepted.class, receiver.open(PAR_ADDR, sender.seal(NAR, MESSAGE)));
        assertEquals(RejectionReason.TOO_OLD, reason(receiver.open(PAR_ADDR, c64)));
    }

    @Test
    void largerWindowAcceptsOlderReordering() {
        RouterChannelProtection sender = par();
        RouterChannelProtection receiver = new RouterChannelProtection(NAR, 256);
        receiver.addPeer(new RouterPeer(PAR, PAR_ADDR, KEY));
        byte[] first = sender.seal(NAR, MESSAGE);
        sender.continueCounterAt(200);
        assertInstanceOf(Accepted.class, receiver.open(PAR_ADDR, sender.seal(NAR, MESSAGE)));
        assertInstanceOf(Accepted.class, receiver.open(PAR_ADDR, first));
    }

    @Test
    void unknownPeerWrongSourceAndWrongKey() {
        byte[] env = par().seal(NAR, MESSAGE);
        RouterChannelProtection stranger = new RouterChannelProtection(NAR);
        assertEquals(RejectionReason.UNKNOWN_PEER, reason(stranger.open(PAR_ADDR, env)));
        assertEquals(1, stranger.rejectedCount(RejectionReason.UNKNOWN_PEER));
        assertEquals(RejectionReason.WRONG_SOURCE, reason(nar().open(new InetSocketAddress("192.0.2.99", 5091), env)));
        assertInstanceOf(Accepted.class, nar().open(null, env), "null source skips the address check");
        RouterChannelProtection otherKey = new RouterChannelProtection(NAR);
        otherKey.addPeer(new RouterPeer(PAR, PAR_ADDR, KeyBytes.of(new byte[32])));
        assertEquals(RejectionReason.BAD_TAG, reason(otherKey.open(PAR_ADDR, env)));
    }

    @Test
    void ownEnvelopeReflectedBackIsNotAccepted() {
        RouterChannelProtection p = par();
        byte[] env = p.seal(NAR, MESSAGE);
        assertEquals(RejectionReason.UNKNOWN_PEER, reason(p.open(NAR_ADDR, env)));
        assertThrows(IllegalArgumentException.class, () -> p.addPeer(new RouterPeer(PAR, null, KEY)));
    }

    @Test
    void removedPeerIsUnknown() {
        RouterChannelProtection receiver = nar();
        byte[] env = par().seal(NAR, MESSAGE);
        receiver.removePeer(PAR);
        assertEquals(RejectionReason.UNKNOWN_PEER, reason(receiver.open(PAR_ADDR, env)));
        assertTrue(receiver.peerAt(PAR_ADDR).isEmpty());
    }

    @Test
    void counterSpaceEndsAtTwoToTheSixtyThree() {
        RouterChannelProtection p = par();
        p.continueCounterAt(Long.MAX_VALUE);
        byte[] last = p.seal(NAR, MESSAGE);
        assertInstanceOf(Accepted.class, nar().open(PAR_ADDR, last));
        assertThrows(IllegalStateException.class, () -> p.seal(NAR, MESSAGE));
        assertThrows(IllegalStateException.class, () -> p.seal(NAR, MESSAGE));
    }

    @Test
    void keysDoNotPrintAndMustBe256Bit() {
        RouterPeer peer = new RouterPeer(PAR, PAR_ADDR, KEY);
        assertFalse(peer.toString().contains("00112233"), peer.toString());
        assertThrows(IllegalArgumentException.class, () -> new RouterPeer(PAR, PAR_ADDR, KeyBytes.of(new byte[16])));
        assertThrows(IllegalArgumentException.class, () -> par().seal(12345, MESSAGE));
    }

    @Test
    void distinctSendersNeverShareANonce() {
        RouterChannelProtection a = par();
        RouterChannelProtection b = nar();
        byte[] ea = a.seal(NAR, MESSAGE);
        byte[] eb = b.seal(PAR, MESSAGE);
        assertNotEquals(Arrays.toString(Arrays.copyOfRange(ea, 4, 16)), Arrays.toString(Arrays.copyOfRange(eb, 4, 16)));
    }
}
