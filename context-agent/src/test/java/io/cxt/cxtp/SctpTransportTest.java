package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.cxt.sys.LibC;
import io.cxt.testing.Commands;

/**
 * SCTP detection, checked against independent evidence of what the host has; a real exchange
 * where SCTP works (the lab kernel), skipped elsewhere.
 */
class SctpTransportTest {

    /** The kernel's own answer to an SCTP socket. */
    static boolean kernelSupportsSctp() {
        int fd = LibC.INSTANCE.socket(LibC.AF_INET, SctpTransport.SOCK_SEQPACKET, SctpTransport.IPPROTO_SCTP);
        if (fd >= 0) {
            LibC.INSTANCE.close(fd);
            return true;
        }
        return false;
    }

    /** Whether the dynamic linker knows libsctp.so.1, which the JDK's SCTP glue loads. */
    static boolean libsctpInstalled() {
        Commands.Result r = Commands.exec(List.of("ldconfig", "-p"), null);
        return r.stdout().contains("libsctp.so.1");
    }

    @Test
    void detectionAgreesWithTheKernelAndTheLibrary() {
        boolean kernel = kernelSupportsSctp();
        boolean library = libsctpInstalled();
        SctpAvailability a = SctpTransport.availability();
        assertEquals(kernel && library, a.available(), a.describe() + " (kernel=" + kernel + ", libsctp=" + library + ")");
        if (!a.available()) {
            assertTrue(a.describe().startsWith("SCTP unavailable: "), a.describe());
            assertFalse(a.reason().isBlank());
            if (!library) {
                assertTrue(a.reason().contains("libsctp"), a.reason());
            }
            if (!kernel) {
                assertTrue(a.reason().contains("kernel"), a.reason());
                assertEquals(kernel, Files.exists(Path.of("/proc/net/sctp")), "no SCTP in /proc either");
            }
        }
    }

    @Test
    void thisHostHasNoSctpAndOpenSaysSoCleanly() {
        SctpAvailability a = SctpTransport.availability();
        Assumptions.assumeFalse(a.available(), "SCTP works here; covered by the exchange test");
        SctpUnavailableException e = assertThrows(SctpUnavailableException.class,
                () -> SctpTransport.open(new InetSocketAddress("127.0.0.1", 0), (f, m, b) -> { }, TransportOptions.sctpDefaults()));
        assertEquals(a.describe(), e.getMessage());
        assertEquals(a, e.availability());
        assertTrue(e.getMessage().matches("SCTP unavailable: .+"), e.getMessage());
        System.out.println(e.getMessage());
    }

    @Test
    void ctdOverSctpIsAcknowledged() throws Exception {
        Assumptions.assumeTrue(SctpTransport.availability().available(), SctpTransport.availability().describe());
        TransportTestSupport.Recorder narRec = new TransportTestSupport.Recorder();
        try (SctpTransport nar = SctpTransport.open(new InetSocketAddress("127.0.0.1", 0), narRec, TransportOptions.sctpDefaults());
             SctpTransport par = SctpTransport.open(new InetSocketAddress("127.0.0.1", 0), new TransportTestSupport.Recorder(),
                     TransportOptions.defaults().withRetransmission(RetransmissionPolicy.singleTransmission(java.time.Duration.ofSeconds(3))))) {
            narRec.answerVia = nar;
            SendResult r = par.send(nar.localAddress(), TransportTestSupport.ctd("2001:db8:1::10", true)).get(5, TimeUnit.SECONDS);
            assertEquals(SendResult.Outcome.ACKNOWLEDGED, r.outcome());
            assertEquals(1, narRec.deliveries.size());
        }
    }
}
