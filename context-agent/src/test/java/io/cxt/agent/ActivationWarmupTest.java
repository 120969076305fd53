package io.cxt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * The warm-up runs the activation code without side effects: inside a fresh namespace holding a
 * larval SA and policies, the SAD and SPD are the same afterwards and no socket was opened, and
 * every part ran in every round.
 */
@ExtendWith(NetnsExtension.class)
class ActivationWarmupTest {

    /** Sockets this process holds (fd links "socket:[inode]"). */
    static long openSockets() throws IOException {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        n++;
                    }
                } catch (IOException gone) {
                    // the directory stream's own fd, closed meanwhile
                }
            }
        }
        return n;
    }

    @Test
    void warmsEveryPartWithoutTouchingTheKernelOrOpeningASocket(TestNamespace ns) throws Exception {
        ns.ip("xfrm", "state", "allocspi", "src", "2001:db8:a::10", "dst", "2001:db8:a::1", "proto", "esp",
                "mode", "tunnel", "reqid", "1");
        ns.ip("xfrm", "policy", "add", "src", "2001:db8:200::/48", "dst", "2001:db8:100::10/128", "dir", "out",
                "tmpl", "src", "2001:db8:a::1", "dst", "2001:db8:a::10", "proto", "esp", "mode", "tunnel", "reqid", "1");
        ns.ip("xfrm", "policy", "add", "src", "203.0.113.10/32", "dst", "203.0.113.0/25", "dir", "in",
                "tmpl", "src", "192.0.2.10", "dst", "192.0.2.1", "proto", "esp", "mode", "tunnel", "reqid", "2");
        String sadBefore = ns.ip("xfrm", "state", "list");
        String spdBefore = ns.ip("xfrm", "policy", "list");
        assertTrue(sadBefore.contains("2001:db8:a::1"), sadBefore);
        assertTrue(spdBefore.contains("203.0.113.0/25"), spdBefore);

        AtomicReference<ActivationWarmup.Report> report = new AtomicReference<>();
        long[] sockets = new long[2];
        ns.netns().runInside(() -> {
            sockets[0] = openSockets();
            report.set(ActivationWarmup.run(50, Duration.ofSeconds(60)));
            sockets[1] = openSockets();
            return 0;
        });

        assertEquals(sockets[0], sockets[1], "sockets before/after the warm-up");
        assertEquals(sadBefore, ns.ip("xfrm", "state", "list"), "SAD");
        assertEquals(spdBefore, ns.ip("xfrm", "policy", "list"), "SPD");
        ActivationWarmup.Report r = report.get();
        assertEquals(50, r.rounds());
        assertFalse(r.timedOut());
        assertEquals(ActivationWarmup.PARTS, java.util.List.copyOf(r.iterations().keySet()));
        for (String part : ActivationWarmup.PARTS) {
            assertEquals(50, r.iterationsOf(part), part);
        }
    }

    @Test
    void aBudgetEndsItAfterAWholeRound() {
        ActivationWarmup.Report r = ActivationWarmup.run(1_000_000, Duration.ZERO);
        assertTrue(r.timedOut());
        assertEquals(1, r.rounds(), "the first round always runs whole, the budget bounds the rest");
        assertTrue(r.firstRoundNanos() > 0 && r.firstRoundNanos() <= r.elapsedNanos());
        for (String part : ActivationWarmup.PARTS) {
            assertEquals(1, r.iterationsOf(part), part);
            assertTrue(r.partNanos().get(part) > 0, part);
        }
    }

    @Test
    void theSystemPropertySwitchesItOff() {
        String old = System.getProperty(ActivationWarmup.PROPERTY);
        try {
            System.setProperty(ActivationWarmup.PROPERTY, "false");
            assertFalse(ActivationWarmup.enabled());
            assertEquals(Optional.empty(), ActivationWarmup.atStart("test"));
            System.setProperty(ActivationWarmup.PROPERTY, "true");
            assertTrue(ActivationWarmup.enabled());
            Optional<ActivationWarmup.Report> r = ActivationWarmup.atStart("test");
            assertTrue(r.isPresent());
            System.out.println("warm-up per part (ms): " + r.get().partMillis() + ", rounds " + r.get().rounds());
        } finally {
            if (old == null) {
                System.clearProperty(ActivationWarmup.PROPERTY);
            } else {
                System.setProperty(ActivationWarmup.PROPERTY, old);
            }
        }
    }
}
