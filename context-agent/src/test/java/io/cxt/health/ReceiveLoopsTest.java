package io.cxt.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.cxt.cxtp.TransportOptions;
import io.cxt.cxtp.UdpTransport;

class ReceiveLoopsTest {

    private static List<String> about(ReceiveLoops r, String name, Duration limit) {
        return r.problems(limit).stream().filter(p -> p.startsWith(name + ":")).toList();
    }

    @Test
    void aLoopHeldByOneHandlerLongerThanTheLimitIsStuckAndRecoversWhenTheHandlerReturns() throws Exception {
        ReceiveLoops r = new ReceiveLoops();
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        AtomicReference<ReceiveLoops.Loop> loop = new AtomicReference<>();
        Thread t = new Thread(() -> {
            ReceiveLoops.Loop beat = r.enter("test-loop");
            loop.set(beat);
            beat.busy();
            inHandler.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                return;
            }
            beat.idle();
            returned.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                beat.leave();
            }
        });
        t.start();
        assertTrue(inHandler.await(5, TimeUnit.SECONDS));
        Thread.sleep(80);

        List<String> stuck = r.problems(Duration.ofMillis(50));
        assertEquals(1, stuck.size(), stuck.toString());
        assertTrue(stuck.get(0).startsWith("test-loop: in the handler of one datagram for "), stuck.get(0));
        assertTrue(stuck.get(0).contains("(at "), "names where it is stuck: " + stuck.get(0));
        assertTrue(r.problems(Duration.ofSeconds(30)).isEmpty(), "within the limit it is only busy");

        release.countDown();
        assertTrue(returned.await(5, TimeUnit.SECONDS));
        assertTrue(r.problems(Duration.ofMillis(1)).isEmpty(), "idle, waiting for the next datagram");
        t.interrupt();
        t.join(5000);
        assertEquals(0, r.size(), "left on an orderly end");
    }

    @Test
    void aLoopWhoseThreadEndedWithoutLeavingIsReportedDead() throws Exception {
        ReceiveLoops r = new ReceiveLoops();
        Thread t = new Thread(() -> r.enter("doomed-loop").busy());
        t.start();
        t.join(5000);

        assertEquals(List.of("doomed-loop: its thread ended without the loop being closed"), r.problems(Duration.ofHours(1)));
    }

    /** The real CXTP UDP transport reports itself while a receiver holds its thread, and leaves when closed. */
    @Test
    void aUdpTransportWhoseReceiverBlocksIsReportedByName() throws Exception {
        CountDownLatch inReceiver = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InetAddress lo = InetAddress.getLoopbackAddress();
        UdpTransport t = UdpTransport.open(new InetSocketAddress(lo, 0), (from, m, bytes) -> {
            inReceiver.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, TransportOptions.defaults().withCtarRatePerSecond(0));
        String name = "cxtp-udp-" + t.localAddress().getPort() + "-receive";
        try {
            assertTrue(about(ReceiveLoops.process(), name, Duration.ofMillis(1)).isEmpty(), "idle before any datagram");
            // a CTC (type 7 in the low 5 bits, no acknowledgement) is delivered to the receiver as is
            byte[] ctc = io.cxt.cxtp.CxtpCodec.encode(new io.cxt.cxtp.ContextTransferCancel(lo));
            try (DatagramSocket s = new DatagramSocket()) {
                s.send(new DatagramPacket(ctc, ctc.length, t.localAddress()));
            }
            assertTrue(inReceiver.await(5, TimeUnit.SECONDS), "the receiver got the datagram");
            Thread.sleep(80);

            List<String> stuck = about(ReceiveLoops.process(), name, Duration.ofMillis(50));
            assertEquals(1, stuck.size(), ReceiveLoops.process().problems(Duration.ofMillis(50)).toString());
            assertTrue(stuck.get(0).contains("in the handler of one datagram"), stuck.get(0));

            release.countDown();
            Thread.sleep(50);
            assertTrue(about(ReceiveLoops.process(), name, Duration.ofMillis(1)).isEmpty());
        } finally {
            release.countDown();
            t.close();
        }
        assertTrue(about(ReceiveLoops.process(), name, Duration.ZERO).isEmpty(), "a closed transport is not watched");
    }
}
