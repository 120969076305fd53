package io.cxt.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receive thread of a UDP endpoint that is not CXTP (the IKE endpoint, the charon HA relay):
 * reads datagrams until the channel is closed and hands each, as its own copy, to a handler. A
 * receive error is logged and the loop goes on; the read buffer is zeroed after each datagram
 * (HA messages carry keys).
 */
public final class DatagramReceiveLoop {

    private static final Logger LOG = LoggerFactory.getLogger(DatagramReceiveLoop.class);

    /** One datagram; the array is the handler's. */
    @FunctionalInterface
    public interface Handler {
        void received(InetSocketAddress from, byte[] datagram);
    }

    private DatagramReceiveLoop() {
    }

    /**
     * Runs on the calling thread until the channel is closed or {@code closed} says so.
     *
     * @param label for log lines ("charon HA", "IKE endpoint NAME")
     */
    public static void run(DatagramChannel channel, int bufferSize, BooleanSupplier closed, String label, Handler handler) {
        ByteBuffer buf = ByteBuffer.allocate(bufferSize);
        io.cxt.health.ReceiveLoops.process().watch(label, () -> closed.getAsBoolean() || !channel.isOpen(),
                beat -> loop(channel, buf, closed, label, handler, beat));
    }

    private static void loop(DatagramChannel channel, ByteBuffer buf, BooleanSupplier closed, String label, Handler handler,
                             io.cxt.health.ReceiveLoops.Loop beat) {
        while (!closed.getAsBoolean()) {
            InetSocketAddress from;
            try {
                buf.clear();
                from = (InetSocketAddress) channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed.getAsBoolean()) {
                    LOG.warn("{}: receive failed: {}", label, e.toString());
                }
                continue;
            }
            buf.flip();
            byte[] datagram = new byte[buf.remaining()];
            buf.get(datagram);
            Arrays.fill(buf.array(), 0, datagram.length, (byte) 0);
            beat.busy();
            try {
                handler.received(from, datagram);
            } finally {
                beat.idle();
            }
        }
    }
}
