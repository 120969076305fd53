package io.cxt.agent.ha;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

import io.cxt.agent.EventSink;
import io.cxt.ha.IkeResponseCopy;
import io.cxt.sys.NetNamespace;
import io.cxt.sys.RawUdp6Sender;
import io.cxt.xfrm.AddressText;

/**
 * nAR: sends the MN, once at the activation, the copy of the pAR charon's last IKE response that came with the
 * context, from this router's IKE address and charon's port. Why: when that response was lost on its way to the
 * MN, the MN retransmits the request to the nAR, whose charon (HA-installed, without the response) ignores it as
 * already processed, and the MN's SA dies after its retransmissions. An MN that did get the response ignores the
 * copy ("received message ID N, expected N+1"), so it is always safe to send, and one copy is all it takes when
 * it arrives. The copy is sent only when it answers the last request the transferred state counts (its message
 * ID is the next expected one minus 1). Raw sockets are opened at the hold, one per local address, never on the
 * activation path.
 */
final class IkeAnswerReplay implements AutoCloseable {
    /** Local addresses this router's charon uses: a handful; more are not kept open. */
    static final int MAX_SENDERS = 8;

    private final NetNamespace namespace;
    private final EventSink events;
    private final Map<InetAddress, RawUdp6Sender> senders = new LinkedHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();

    IkeAnswerReplay(NetNamespace namespace, EventSink events) {
        this.namespace = namespace;
        this.events = events;
    }

    /** Whether {@code r} answers the request before {@code midResponder}, the next one the nAR's charon expects. */
    static boolean answersLastRequest(IkeResponseCopy r, long midResponder) {
        return r != null && midResponder > 0 && r.messageId() == midResponder - 1;
    }

    /** At the hold: the sender from {@code local}, opened once (IPv6 only: cxt's access networks are). */
    synchronized void prepare(InetAddress local, String mn) {
        if (!(local instanceof Inet6Address) || senders.containsKey(local) || senders.size() >= MAX_SENDERS) {
            return;
        }
        try {
            senders.put(local, RawUdp6Sender.open(namespace, local));
        } catch (IOException | RuntimeException e) {
            events.emit("ike-rejected", mn, "cannot open a raw UDP socket from " + AddressText.of(local) + " to send charon's"
                    + " last IKE response again at the activation: " + e.getMessage());
        }
    }

    /** At the activation: sends {@code r} from {@code local} to the MN at {@code mnAddress} if it answers the last request. */
    void replay(IkeResponseCopy r, long midResponder, InetAddress local, InetAddress mnAddress, String mn) {
        if (!answersLastRequest(r, midResponder)) {
            return;
        }
        RawUdp6Sender s;
        synchronized (this) {
            s = senders.get(local);
        }
        if (s == null || !(mnAddress instanceof Inet6Address)) {
            events.emit("ike-rejected", mn, "charon's last IKE response (" + r.exchangeName() + " " + r.messageId()
                    + ") not sent again: no IPv6 raw socket from " + AddressText.of(local));
            return;
        }
        try {
            for (byte[] d : r.datagrams()) {
                s.send(r.sourcePort(), mnAddress, r.destinationPort(), d);
            }
            sent.incrementAndGet();
            events.emit("ike-ha-answer", mn, "the pAR charon's answer to the MN's last request (" + r.exchangeName()
                    + " response " + r.messageId() + ", " + r.datagrams().size() + " datagram(s)) sent again from "
                    + AddressText.of(local) + "[" + r.sourcePort() + "] to " + AddressText.of(mnAddress) + "["
                    + r.destinationPort() + "], in case the MN lost it before the move");
        } catch (IOException | RuntimeException e) {
            events.emit("ike-rejected", mn, "could not send charon's last IKE response " + r.messageId() + " again: "
                    + e.getMessage());
        }
    }

    /** Copies sent (one per activation that had one to send). */
    long sent() {
        return sent.get();
    }

    @Override
    public synchronized void close() {
        senders.values().forEach(RawUdp6Sender::close);
        senders.clear();
    }
}
