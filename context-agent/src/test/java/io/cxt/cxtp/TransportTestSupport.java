package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;

/** Shared pieces of the transport tests. */
final class TransportTestSupport {
    private TransportTestSupport() {
    }

    record Delivery(InetSocketAddress from, CxtpMessage message, long atNanos) {
    }

    /** A receiver that records deliveries; optionally answers CTAR with CTAA and CTD/PCTD with CTDR. */
    static final class Recorder implements CxtpReceiver {
        final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        volatile CxtpTransport answerVia;

        @Override
        public void received(InetSocketAddress from, CxtpMessage message, byte[] bytes) {
            deliveries.add(new Delivery(from, message, System.nanoTime()));
            CxtpTransport t = answerVia;
            if (t == null || !message.acknowledgementRequested()) {
                return;
            }
            CxtpMessage answer = message.type() == MessageType.CTAR
                    ? new ContextTransferActivateAcknowledge(message.previousAddress(), List.of())
                    : new ContextTransferDataReply(true, message.previousAddress(), List.of(new FeatureStatus(1, 0)));
            try {
                t.send(from, CxtpCodec.encode(answer));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    static InetAddress addr(String s) {
        return CxtpCodecFiguresTest.addr(s);
    }

    static byte[] ctar(String mn, long seq, boolean ack) {
        InetAddress m = addr(mn);
        InetAddress ar = m instanceof java.net.Inet4Address ? addr("198.51.100.1") : addr("2001:db8:2::1");
        return CxtpCodec.encode(new ContextTransferActivateRequest(ack, m, ar, seq, 0x11223344, List.of()));
    }

    static byte[] ctd(String mn, boolean ack) {
        return CxtpCodec.encode(new ContextTransferData(ack, 0, addr(mn),
                List.of(ContextDataBlock.of(1, CxtpCodecFiguresTest.MLD_CONTEXT))));
    }
}
