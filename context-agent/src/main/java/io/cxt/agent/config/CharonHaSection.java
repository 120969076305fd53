package io.cxt.agent.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code [charon-ha]} table (optional, access-router only): cxagent is the {@code ha} plugin's peer of the
 * local charon (strongswan.conf {@code charon.plugins.ha}: {@code local} = charon's address below, {@code remote}
 * = cxagent's). The HA protocol has no MAC, so both addresses must be loopback: the channel never leaves the host.
 *
 * @param local {@code local}: cxagent's address (charon's {@code remote}), default 127.0.0.2
 * @param charon {@code charon}: charon's address (its {@code local}); only datagrams from it are accepted, default 127.0.0.1
 * @param port {@code port}: UDP port on both sides (charon's is fixed at 4510), default 4510
 * @param fifo {@code fifo}: charon's segment FIFO ({@code fifo_interface = yes}), default /var/run/charon.ha
 * @param segment {@code segment}: the segment cxagent activates (charon {@code segment_count = 1}), default 1
 * @param charonBinary {@code charon-binary}: asked for its version at start (only HA protocol 3, strongSwan 5.x, is spoken)
 * @param maxSas {@code max-sas}: most IKE SAs recorded; more are refused and counted, default 65536
 * @param logInterval {@code log-interval}: at most one log line per rejection kind per interval, default 10s
 * @param roamTriggerAddress {@code roam-trigger-address}: a /128 nobody else uses that cxagent adds to and removes
 *        from the loopback interface right after an activation, so that charon roams and sends the MN its address
 *        list; null (default): the MN learns the nAR's address only from charon's own address events
 * @param resyncOnStart {@code resync-on-start}: at start cxagent asks charon (HA RESYNC) for every IKE SA of its
 *        segment; charon sends them again and rekeys their CHILD_SAs (one CREATE_CHILD_SA per IKE SA, no IKE_AUTH),
 *        so a restarted cxagent can transfer SAs made before it started; default true
 * @param responseTap {@code response-tap}: cxagent keeps charon's last IKE response per SA (a packet tap that
 *        passes only IKE responses leaving this host) and carries it in the context, so the nAR can send it again
 *        when the MN lost it just before the move; needs CAP_NET_RAW; default true
 */
public record CharonHaSection(InetAddress local, InetAddress charon, int port, Path fifo, int segment,
        Path charonBinary, int maxSas, Duration logInterval, InetAddress roamTriggerAddress, boolean resyncOnStart,
        boolean responseTap) {
    public static final Path DEFAULT_FIFO = Path.of("/var/run/charon.ha");
    public static final Path DEFAULT_CHARON = Path.of("/usr/lib/ipsec/charon");

    public CharonHaSection {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(charon, "charon");
        Objects.requireNonNull(fifo, "fifo");
        Objects.requireNonNull(charonBinary, "charonBinary");
        Objects.requireNonNull(logInterval, "logInterval");
    }
}
