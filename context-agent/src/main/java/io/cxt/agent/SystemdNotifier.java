package io.cxt.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * systemd's notification protocol (sd_notify(3)) without libsystemd: datagrams such as
 * {@code READY=1}, {@code STATUS=...}, {@code STOPPING=1} and {@code WATCHDOG=1} sent to the unix
 * datagram socket named by {@code $NOTIFY_SOCKET} (a path, or an abstract name written with a
 * leading '@'). With {@code WATCHDOG_USEC} set (WatchdogSec= in the unit), {@link #startWatchdog}
 * pings every half interval, as sd_watchdog_enabled(3) advises. Without {@code NOTIFY_SOCKET}
 * (not started by systemd, or Type= other than notify) every call does nothing.
 *
 * <p>Send failures are logged once and otherwise ignored: notification is advisory and must never
 * stop the agent.
 */
public final class SystemdNotifier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);

    private final String socket;
    private final Duration watchdogInterval;
    private final UnixDatagramChannel channel;
    private Thread watchdog;
    private volatile boolean closed;
    private volatile boolean failureLogged;

    /**
     * @param socket the notification socket ($NOTIFY_SOCKET's value) or null for a no-op notifier
     * @param watchdogInterval systemd's watchdog timeout (WATCHDOG_USEC), or null if none
     */
    public SystemdNotifier(String socket, Duration watchdogInterval) {
        this.socket = socket == null || socket.isBlank() ? null : socket;
        this.watchdogInterval = watchdogInterval == null || watchdogInterval.isZero() || watchdogInterval.isNegative()
                ? null : watchdogInterval;
        UnixDatagramChannel ch = null;
        if (this.socket != null) {
            try {
                ch = UnixDatagramChannel.open();
            } catch (IOException e) {
                LOG.warn("cannot open a socket for systemd notifications: {}", e.getMessage());
            }
        }
        this.channel = ch;
    }

    /**
     * From the environment: NOTIFY_SOCKET, and WATCHDOG_USEC when WATCHDOG_PID is unset or this process.
     */
    public static SystemdNotifier fromEnvironment() {
        String socket = System.getenv("NOTIFY_SOCKET");
        Duration watchdog = null;
        String usec = System.getenv("WATCHDOG_USEC");
        String pid = System.getenv("WATCHDOG_PID");
        boolean forUs = pid == null || pid.isBlank() || pid.strip().equals(Long.toString(ProcessHandle.current().pid()));
        if (usec != null && forUs) {
            try {
                long us = Long.parseLong(usec.strip());
                if (us > 0) {
                    watchdog = Duration.ofNanos(us * 1000);
                }
            } catch (NumberFormatException e) {
                LOG.warn("ignoring WATCHDOG_USEC='{}': not a number", usec);
            }
        }
        return new SystemdNotifier(socket, watchdog);
    }

    /** Whether notifications go anywhere. */
    public boolean enabled() {
        return channel != null;
    }

    /** The watchdog timeout systemd expects pings within, or null. */
    public Duration watchdogInterval() {
        return watchdogInterval;
    }

    public void ready() {
        send("READY=1");
    }

    /** STATUS= line for {@code systemctl status}; newlines become spaces. */
    public void status(String text) {
        send("STATUS=" + text.replace('\n', ' '));
    }

    public void stopping() {
        send("STOPPING=1");
    }

    public void watchdog() {
        send("WATCHDOG=1");
    }

    /**
     * Sends one notification datagram (several assignments may be separated by newlines).
     *
     * @return whether it was sent
     */
    public boolean send(String state) {
        if (channel == null || closed) {
            return false;
        }
        try {
            String target = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
            ByteBuffer b = ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8));
            synchronized (channel) {
                channel.send(b, new UnixSocketAddress(target));
            }
            return true;
        } catch (IOException | RuntimeException e) {
            if (!failureLogged) {
                failureLogged = true;
                LOG.warn("cannot notify systemd at {}: {}", socket, e.getMessage());
            }
            return false;
        }
    }

    /**
     * Starts pinging WATCHDOG=1 every half watchdog interval while {@code healthy} says so (a wedged
     * agent stops pinging and systemd restarts it). Does nothing without a watchdog interval.
     */
    public synchronized void startWatchdog(BooleanSupplier healthy) {
        if (watchdogInterval == null || channel == null || watchdog != null) {
            return;
        }
        long periodMillis = Math.max(1, watchdogInterval.toMillis() / 2);
        watchdog = new Thread(() -> {
            while (!closed) {
                if (healthy.getAsBoolean()) {
                    watchdog();
                } else {
                    LOG.debug("agent unhealthy: not pinging the systemd watchdog"); // the health check logs why
                }
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "cxagent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        LOG.debug("systemd watchdog: ping every {} ms", periodMillis);
    }

    /** Stops the watchdog thread and closes the socket. */
    @Override
    public synchronized void close() {
        closed = true;
        if (watchdog != null) {
            watchdog.interrupt();
            try {
                watchdog.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
