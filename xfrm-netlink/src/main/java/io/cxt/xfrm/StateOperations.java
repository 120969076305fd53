package io.cxt.xfrm;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkErrorException;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkRequest;
import io.cxt.nl.NetlinkSocket;
import io.cxt.nl.NlAttribute;

/**
 * SAD operations on one NETLINK_XFRM socket: add, update, get, delete, dump and flush SAs,
 * allocate SPIs, read and set replay/lifetime counters, and read SAD counters. Requests are
 * encoded with the record codecs; replies are decoded with them, and a reply that does not
 * decode is a {@link MalformedNetlinkException}. Kernel refusals are
 * {@link NetlinkErrorException}s carrying errno and the kernel's extended-ACK text.
 */
public final class StateOperations {

    /** What GETAE asks for: the replay counters and the current lifetime, as iproute2 and strongSwan do. */
    public static final int GETAE_FLAGS = AeventId.AE_RVAL | AeventId.AE_LVAL;
    /** The flags word of a GETSADINFO request, as iproute2 sends it (the kernel echoes it). */
    public static final int SADINFO_REQUEST_FLAGS = 0xffffffff;

    private final NetlinkSocket socket;

    public StateOperations(NetlinkSocket socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
    }

    /** XFRM_MSG_NEWSA with NLM_F_CREATE|NLM_F_EXCL: fails with EEXIST if the SA is there already. */
    public void add(SecurityAssociation sa) throws IOException {
        socket.request(XfrmMsgType.NEWSA, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, sa.toBytes());
    }

    /** XFRM_MSG_UPDSA: replaces an existing SA (or completes a larval one from ALLOCSPI). */
    public void update(SecurityAssociation sa) throws IOException {
        socket.request(XfrmMsgType.UPDSA, 0, sa.toBytes());
    }

    /** XFRM_MSG_GETSA. */
    public SecurityAssociation get(SaKey key) throws IOException {
        NetlinkMessage reply = socket.requestOne(XfrmMsgType.GETSA, 0, key.toBytes());
        return decodeReply(reply, XfrmMsgType.NEWSA, SecurityAssociation::decode);
    }

    /** XFRM_MSG_DELSA. A missing SA is refused by the kernel with ESRCH. */
    public void delete(SaKey key) throws IOException {
        socket.request(XfrmMsgType.DELSA, 0, key.toBytes());
    }

    /** Every SA of the namespace, larval ones (from ALLOCSPI) included. */
    public List<SecurityAssociation> dump() throws IOException {
        return dump(null, null);
    }

    /**
     * SAs matching an address filter and/or a protocol, filtered by the kernel (XFRMA_ADDRESS_FILTER,
     * XFRMA_PROTO on the dump request); null means no restriction.
     */
    public List<SecurityAssociation> dump(AddressFilter filter, Integer proto) throws IOException {
        return socket.dump(XfrmMsgType.GETSA, dumpRequest(filter, proto),
                m -> decodeReply(m, XfrmMsgType.NEWSA, SecurityAssociation::decode));
    }

    /** The GETSA dump request payload: no header, only the optional filter attributes. */
    public static byte[] dumpRequest(AddressFilter filter, Integer proto) {
        List<NlAttribute> attrs = new ArrayList<>();
        if (filter != null) {
            attrs.add(StateCodec.structAttr(XfrmAttrType.ADDRESS_FILTER, AddressFilter.LENGTH, filter::encode));
        }
        if (proto != null) {
            StateCodec.checkU8(proto, "proto");
            attrs.add(StateCodec.u8Attr(XfrmAttrType.PROTO, proto));
        }
        return StateCodec.payload(0, b -> { }, attrs);
    }

    /**
     * XFRM_MSG_FLUSHSA. {@code proto} 0 removes every SA, {@link XfrmId#PROTO_IPSEC_ANY} the ESP, AH
     * and IPCOMP ones, another number only that protocol's. Flushing an empty SAD succeeds.
     */
    public void flush(int proto) throws IOException {
        socket.request(XfrmMsgType.FLUSHSA, 0, new SaFlush(proto).toBytes());
    }

    /**
     * XFRM_MSG_ALLOCSPI: creates (or finds) a larval SA and gives it an SPI from the range. Returns
     * the larval SA as the kernel reports it, with the SPI it chose.
     */
    public SecurityAssociation allocSpi(AllocSpiRequest request) throws IOException {
        NetlinkMessage reply = socket.requestOne(XfrmMsgType.ALLOCSPI, 0, request.toBytes());
        return decodeReply(reply, XfrmMsgType.NEWSA, SecurityAssociation::decode);
    }

    /**
     * ALLOCSPI for an SA from {@code src} to {@code dst} (family from the addresses) with an SPI in
     * {@code [min, max]}; {@code min == max} asks for exactly that SPI. {@code mark} and
     * {@code ifId} may be null.
     */
    public SecurityAssociation allocSpi(InetAddress src, InetAddress dst, int proto, int reqid, int mode, Mark mark,
                                        Integer ifId, int min, int max) throws IOException {
        return allocSpi(AllocSpiRequest.of(src, dst, proto, reqid, mode, mark, ifId, min, max));
    }

    /** XFRM_MSG_GETAE: the replay state and current lifetime of an SA. */
    public ReplayLifetimeState getReplayLifetime(SaKey key) throws IOException {
        NetlinkMessage reply = socket.requestOne(XfrmMsgType.GETAE, 0, getAeRequest(key));
        return decodeReply(reply, XfrmMsgType.NEWAE, ReplayLifetimeState::decode);
    }

    /** The GETAE request payload for an SA key. */
    public static byte[] getAeRequest(SaKey key) {
        SaId id = key.id();
        InetAddress src = key.srcAddr() != null ? key.srcAddr() : XfrmStructs.any(id.family());
        AeventId aevent = new AeventId(id, src, GETAE_FLAGS, 0);
        ReplayLifetimeState query = new ReplayLifetimeState(aevent, null, null, null, null, null, key.mark(),
                key.ifId(), null, null, List.of());
        return query.toBytes();
    }

    /**
     * XFRM_MSG_NEWAE with NLM_F_REPLACE (the kernel insists on it): sets the replay counters,
     * lifetime and thresholds present in {@code state}. The SA must be valid, not larval.
     */
    public void setReplayLifetime(ReplayLifetimeState state) throws IOException {
        socket.request(XfrmMsgType.NEWAE, Netlink.NLM_F_REPLACE, state.toBytes());
    }

    /** XFRM_MSG_GETSADINFO: SA count and hash table size. */
    public SadInfo sadInfo() throws IOException {
        NetlinkMessage reply = socket.requestOne(XfrmMsgType.GETSADINFO, 0, SadInfo.request(SADINFO_REQUEST_FLAGS));
        return decodeReply(reply, XfrmMsgType.NEWSADINFO, SadInfo::decode);
    }

    /**
     * Adds many SAs with as few system calls as the socket buffer allows. Every SA is tried;
     * the result lists the refused ones by their index in {@code sas} (empty: all added).
     */
    public List<XfrmFailure> addAll(List<SecurityAssociation> sas) throws IOException {
        List<NetlinkRequest> requests = new ArrayList<>(sas.size());
        for (SecurityAssociation sa : sas) {
            requests.add(new NetlinkRequest(XfrmMsgType.NEWSA, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, sa.toBytes()));
        }
        List<NetlinkSocket.BatchFailure> refused = socket.batch(requests, false);
        List<XfrmFailure> out = new ArrayList<>(refused.size());
        for (NetlinkSocket.BatchFailure f : refused) {
            out.add(new XfrmFailure(f.index(), XfrmError.of(f.error().errno()), f.error()));
        }
        return out;
    }

    /** Decodes a kernel reply of the expected type; anything else is a malformed reply. */
    static <T> T decodeReply(NetlinkMessage m, int expectedType, Function<ByteBuffer, T> decoder) {
        MalformedNetlinkException.check(m.type() == expectedType, "expected XFRM_MSG_" + XfrmMsgType.name(expectedType)
                + " in reply, got " + XfrmMsgType.name(m.type()));
        return StateCodec.guard("XFRM_MSG_" + XfrmMsgType.name(expectedType) + " reply",
                () -> decoder.apply(m.payloadBuffer()));
    }
}
