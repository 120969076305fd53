package io.cxt.xfrm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkErrorException;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkRequest;
import io.cxt.nl.NetlinkSocket;
import io.cxt.nl.NetlinkSocket.BatchFailure;

/**
 * SPD operations on one NETLINK_XFRM socket. Errors are {@link NetlinkErrorException}s whose
 * operation names the XFRM message and the policy ("xfrm NEWPOLICY out 10.0.0.0/24 -> 10.1.0.0/24"),
 * with the kernel's errno and extended-ACK text.
 *
 * <p>The request builders ({@code *Request}) are the exact messages sent, exposed to the package so
 * tests can hold them against iproute2's bytes.
 */
public final class PolicyOperations {
    private final NetlinkSocket socket;

    public PolicyOperations(NetlinkSocket socket) {
        this.socket = socket;
    }

    // ------------------------------------------------------------------ add / update

    /** NEWPOLICY with NLM_F_CREATE|NLM_F_EXCL: fails with EEXIST if a policy with this identity exists. */
    public void add(SecurityPolicy policy) throws IOException {
        send(addRequest(policy), () -> describe("NEWPOLICY", policy));
    }

    /** UPDPOLICY: replaces the policy with this selector, direction, type, mark and if_id, or adds it. */
    public void update(SecurityPolicy policy) throws IOException {
        send(updateRequest(policy), () -> describe("UPDPOLICY", policy));
    }

    static NetlinkRequest addRequest(SecurityPolicy p) {
        return new NetlinkRequest(XfrmMsgType.NEWPOLICY, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, p.toBytes());
    }

    static NetlinkRequest updateRequest(SecurityPolicy p) {
        return new NetlinkRequest(XfrmMsgType.UPDPOLICY, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE, p.toBytes());
    }

    /**
     * Adds many policies in as few socket writes as possible (NEWPOLICY, as {@link #add}). Every
     * policy is attempted; the result lists the refused ones by their index in {@code policies}
     * (empty when all were added).
     */
    public List<XfrmFailure> addAll(List<SecurityPolicy> policies) throws IOException {
        List<NetlinkRequest> reqs = new ArrayList<>(policies.size());
        for (SecurityPolicy p : policies) {
            reqs.add(addRequest(p));
        }
        return describeFailures(socket.batch(reqs, false), i -> describe("NEWPOLICY", policies.get(i)));
    }

    // ------------------------------------------------------------------ get / delete

    /** GETPOLICY: the policy with this identity (NetlinkErrorException ENOENT if none). */
    public SecurityPolicy get(PolicyId id) throws IOException {
        NetlinkMessage reply;
        try {
            reply = socket.requestOne(XfrmMsgType.GETPOLICY, 0, getRequest(id).payload());
        } catch (NetlinkErrorException e) {
            throw renamed(e, describe("GETPOLICY", id));
        }
        return decodePolicyMessage(reply);
    }

    /** GETPOLICY by the kernel's index (main type). */
    public SecurityPolicy getByIndex(int index, int direction) throws IOException {
        return get(PolicyId.byIndex(index, direction));
    }

    static NetlinkRequest getRequest(PolicyId id) {
        return new NetlinkRequest(XfrmMsgType.GETPOLICY, 0, id.toBytes());
    }

    /** DELPOLICY (NetlinkErrorException ENOENT if there is no such policy). */
    public void delete(PolicyId id) throws IOException {
        send(deleteRequest(id), () -> describe("DELPOLICY", id));
    }

    /** DELPOLICY by the kernel's index (main type). */
    public void deleteByIndex(int index, int direction) throws IOException {
        delete(PolicyId.byIndex(index, direction));
    }

    static NetlinkRequest deleteRequest(PolicyId id) {
        return new NetlinkRequest(XfrmMsgType.DELPOLICY, 0, id.toBytes());
    }

    /** Deletes many policies in batches; the result lists the refused ones by index in {@code ids}. */
    public List<XfrmFailure> deleteAll(List<PolicyId> ids) throws IOException {
        List<NetlinkRequest> reqs = new ArrayList<>(ids.size());
        for (PolicyId id : ids) {
            reqs.add(deleteRequest(id));
        }
        return describeFailures(socket.batch(reqs, false), i -> describe("DELPOLICY", ids.get(i)));
    }

    // ------------------------------------------------------------------ dump / flush

    /** Every policy of every type and direction, as one consistent view (restarted if the SPD changes meanwhile). */
    public List<SecurityPolicy> dump() throws IOException {
        return socket.dump(XfrmMsgType.GETPOLICY, new byte[0], PolicyOperations::decodePolicyMessage);
    }

    /** The raw dump messages, for callers that keep the kernel's bytes. */
    public List<NetlinkMessage> dumpMessages() throws IOException {
        return socket.dump(XfrmMsgType.GETPOLICY, new byte[0], m -> m);
    }

    /** FLUSHPOLICY of the main SPD (what {@code ip xfrm policy flush} does). */
    public void flush() throws IOException {
        send(flushRequest(PolicyFlush.of(null)), () -> "xfrm FLUSHPOLICY");
    }

    /** FLUSHPOLICY of one policy type. */
    public void flush(PolicyType type) throws IOException {
        send(flushRequest(PolicyFlush.of(type)), () -> "xfrm FLUSHPOLICY " + type.name());
    }

    static NetlinkRequest flushRequest(PolicyFlush f) {
        return new NetlinkRequest(XfrmMsgType.FLUSHPOLICY, 0, f.toBytes());
    }

    // ------------------------------------------------------------------ migrate / expire

    /** MIGRATE: moves the policy's matching tunnel templates (and SAs) to new endpoints. */
    public void migrate(MigrateRequest request) throws IOException {
        send(migrateRequest(request), () -> "xfrm MIGRATE " + PolicyInfo.directionName(request.direction()) + " "
                + selectorText(request.selector()));
    }

    static NetlinkRequest migrateRequest(MigrateRequest r) {
        return new NetlinkRequest(XfrmMsgType.MIGRATE, 0, r.toBytes());
    }

    /**
     * POLEXPIRE: tells the kernel a policy expired (found by index if non-zero, else by selector,
     * direction and context); hard also deletes it. The kernel notifies the EXPIRE group.
     */
    public void expire(PolicyExpire expire) throws IOException {
        send(new NetlinkRequest(XfrmMsgType.POLEXPIRE, 0, expire.toBytes(AttributeOrder.REQUEST)),
                () -> describe("POLEXPIRE", expire.policy()));
    }

    // ------------------------------------------------------------------ SPD info / defaults

    /** GETSPDINFO: policy counts, hash sizes and thresholds. */
    public SpdInfo spdInfo() throws IOException {
        NetlinkMessage reply;
        try {
            reply = socket.requestOne(XfrmMsgType.GETSPDINFO, 0, spdInfoRequest().payload());
        } catch (NetlinkErrorException e) {
            throw renamed(e, "xfrm GETSPDINFO");
        }
        MalformedNetlinkException.check(reply.type() == XfrmMsgType.NEWSPDINFO,
                "GETSPDINFO answered with message type " + XfrmMsgType.name(reply.type()));
        return SpdInfo.decode(reply.payloadBuffer());
    }

    static NetlinkRequest spdInfoRequest() {
        ByteBuffer b = PolicyWire.allocate(4).putInt(SpdInfo.REQUEST_FLAGS);
        return new NetlinkRequest(XfrmMsgType.GETSPDINFO, 0, b.array());
    }

    /** NEWSPDINFO: sets the selector prefix lengths from which policies are hashed (null leaves one as is). */
    public void setHashThresholds(SpdInfo.HashThreshold ipv4, SpdInfo.HashThreshold ipv6) throws IOException {
        send(setHashThresholdsRequest(SpdInfo.thresholds(ipv4, ipv6)), () -> "xfrm NEWSPDINFO");
    }

    static NetlinkRequest setHashThresholdsRequest(SpdInfo info) {
        return new NetlinkRequest(XfrmMsgType.NEWSPDINFO, 0, info.toBytes());
    }

    /** SETDEFAULT: the action for traffic no policy matches (UNSPEC leaves a direction unchanged). */
    public void setDefault(PolicyDefault d) throws IOException {
        send(setDefaultRequest(d), () -> "xfrm SETDEFAULT");
    }

    static NetlinkRequest setDefaultRequest(PolicyDefault d) {
        return new NetlinkRequest(XfrmMsgType.SETDEFAULT, 0, d.toBytes());
    }

    /** GETDEFAULT. */
    public PolicyDefault getDefault() throws IOException {
        NetlinkMessage reply;
        try {
            reply = socket.requestOne(XfrmMsgType.GETDEFAULT, 0, getDefaultRequest().payload());
        } catch (NetlinkErrorException e) {
            throw renamed(e, "xfrm GETDEFAULT");
        }
        MalformedNetlinkException.check(reply.type() == XfrmMsgType.GETDEFAULT,
                "GETDEFAULT answered with message type " + XfrmMsgType.name(reply.type()));
        return PolicyDefault.decode(reply.payloadBuffer());
    }

    static NetlinkRequest getDefaultRequest() {
        return new NetlinkRequest(XfrmMsgType.GETDEFAULT, 0, new byte[PolicyDefault.LENGTH]);
    }

    // ------------------------------------------------------------------ helpers

    /** Decodes a NEWPOLICY message from a GET answer or a dump. */
    static SecurityPolicy decodePolicyMessage(NetlinkMessage m) {
        MalformedNetlinkException.check(m.type() == XfrmMsgType.NEWPOLICY,
                "expected a NEWPOLICY message, got " + XfrmMsgType.name(m.type()));
        return SecurityPolicy.decode(m.payloadBuffer());
    }

    private interface Description {
        String get();
    }

    private void send(NetlinkRequest r, Description what) throws IOException {
        try {
            socket.request(r.type(), r.flags(), r.payload());
        } catch (NetlinkErrorException e) {
            throw renamed(e, what.get());
        }
    }

    private static List<XfrmFailure> describeFailures(List<BatchFailure> failures, IntFunction<String> what) {
        List<XfrmFailure> out = new ArrayList<>(failures.size());
        for (BatchFailure f : failures) {
            out.add(new XfrmFailure(f.index(), XfrmError.of(f.error().errno()), renamed(f.error(), what.apply(f.index()))));
        }
        return out;
    }

    private static NetlinkErrorException renamed(NetlinkErrorException e, String operation) {
        NetlinkErrorException r = new NetlinkErrorException(operation, e.errno(), e.extAck(), e.requestType(),
                e.attributeOffset());
        r.initCause(e);
        return r;
    }

    static String describe(String msg, SecurityPolicy p) {
        return "xfrm " + msg + " " + PolicyInfo.directionName(p.direction()) + " " + selectorText(p.selector())
                + (p.index() != 0 ? " index " + Integer.toUnsignedString(p.index()) : "")
                + (p.policyType() != null ? " ptype " + p.policyType().name() : "");
    }

    static String describe(String msg, PolicyId id) {
        String which = id.index() != 0 ? "index " + Integer.toUnsignedString(id.index()) : selectorText(id.selector());
        return "xfrm " + msg + " " + PolicyInfo.directionName(id.direction()) + " " + which
                + (id.policyType() != null ? " ptype " + id.policyType().name() : "");
    }

    static String selectorText(Selector s) {
        return s.saddr().getHostAddress() + "/" + s.prefixlenS() + " -> " + s.daddr().getHostAddress() + "/"
                + s.prefixlenD();
    }
}
