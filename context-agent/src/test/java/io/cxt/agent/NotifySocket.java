package io.cxt.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/** A stand-in for systemd's notification socket: a bound unix datagram socket collecting messages. */
final class NotifySocket implements AutoCloseable {
    private final UnixDatagramChannel channel;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean closed;

    /** @param address a path, or "\0name" for an abstract socket */
    NotifySocket(String address) throws IOException {
        channel = UnixDatagramChannel.open();
        channel.bind(new UnixSocketAddress(address));
        reader = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (!closed) {
                try {
                    b.clear();
                    channel.receive(b);
                    b.flip();
                    if (b.hasRemaining()) {
                        messages.add(StandardCharsets.UTF_8.decode(b).toString());
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "notify-socket");
        reader.setDaemon(true);
        reader.start();
    }

    /** The next message, or null after the timeout. */
    String next(long millis) throws InterruptedException {
        return messages.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Skips messages until one equals {@code wanted}; false if none came in time. */
    boolean await(String wanted, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            String m = next(Math.max(1, end - System.currentTimeMillis()));
            if (wanted.equals(m)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }
}
