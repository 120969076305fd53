package io.cxt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify datagrams to a socket the test binds, as systemd would. */
class SystemdNotifierTest {

    @Test
    void sendsStatesToAPathSocket(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("notify");
        try (NotifySocket sd = new NotifySocket(path.toString());
                SystemdNotifier n = new SystemdNotifier(path.toString(), null)) {
            assertTrue(n.enabled());
            n.ready();
            assertEquals("READY=1", sd.next(2000));
            n.status("2 contexts\nheld");
            assertEquals("STATUS=2 contexts held", sd.next(2000));
            n.stopping();
            assertEquals("STOPPING=1", sd.next(2000));
            n.watchdog();
            assertEquals("WATCHDOG=1", sd.next(2000));
        }
    }

    @Test
    void abstractSocketNamesWork() throws Exception {
        String name = "cxt-notify-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (NotifySocket sd = new NotifySocket("\0" + name);
                SystemdNotifier n = new SystemdNotifier("@" + name, null)) {
            n.ready();
            assertEquals("READY=1", sd.next(2000));
        }
    }

    @Test
    void watchdogPingsEveryHalfIntervalWhileHealthy(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("notify");
        AtomicBoolean healthy = new AtomicBoolean(true);
        try (NotifySocket sd = new NotifySocket(path.toString());
                SystemdNotifier n = new SystemdNotifier(path.toString(), Duration.ofMillis(400))) {
            long t0 = System.nanoTime();
            n.startWatchdog(healthy::get);
            assertEquals("WATCHDOG=1", sd.next(2000));
            assertEquals("WATCHDOG=1", sd.next(2000));
            assertEquals("WATCHDOG=1", sd.next(2000));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            // three pings at 0, 200, 400 ms: well inside the 400 ms watchdog's expectations, not a busy loop
            assertTrue(ms >= 350 && ms < 1500, "three pings took " + ms + " ms");
            healthy.set(false);
            Thread.sleep(300);
            while (sd.next(0) != null) {
                // drain what was sent before the change
            }
            assertNull(sd.next(700), "no ping while unhealthy");
        }
    }

    @Test
    void withoutNotifySocketEverythingIsANoOp() {
        try (SystemdNotifier n = new SystemdNotifier(null, Duration.ofSeconds(1))) {
            assertFalse(n.enabled());
            assertFalse(n.send("READY=1"));
            n.startWatchdog(() -> true); // no thread, no error
        }
    }

    @Test
    void aMissingSocketIsNotAnError(@TempDir Path dir) {
        try (SystemdNotifier n = new SystemdNotifier(dir.resolve("gone").toString(), null)) {
            assertFalse(Files.exists(dir.resolve("gone")));
            assertFalse(n.send("READY=1"));
            assertFalse(n.send("READY=1"));
        }
    }
}
