package io.cxt.xfrm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.cxt.nl.Netlink;
import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NetlinkSocket;
import io.cxt.sys.NetNamespace;

/**
 * The XFRM client: one NETLINK_XFRM socket in one network namespace, with the SAD operations in
 * {@link #states()} and the SPD operations in {@link #policies()}. It is also the netlink backend
 * of {@link IpsecKernel} (the operations the context engine and the roles use), each of which maps
 * to the same request {@code states()}/{@code policies()} send. Not thread-safe: give each
 * thread its own client (a socket is cheap).
 */
public final class XfrmClient implements IpsecKernel, AutoCloseable {

    private final NetlinkSocket socket;
    private final NetNamespace netns;
    private final String namespace;
    private final StateOperations states;
    private final PolicyOperations policies;

    private XfrmClient(NetlinkSocket socket, NetNamespace netns) {
        this.socket = socket;
        this.netns = netns;
        this.namespace = netns == null ? null : netns.name();
        this.states = new StateOperations(socket);
        this.policies = new PolicyOperations(socket);
    }

    /** A client for this process's own network namespace. */
    public static XfrmClient open() throws IOException {
        return new XfrmClient(NetlinkSocket.open(Netlink.NETLINK_XFRM), null);
    }

    /** A client for a network namespace, or the current one when {@code ns} is null. */
    public static XfrmClient open(NetNamespace ns) throws IOException {
        return new XfrmClient(NetlinkSocket.open(Netlink.NETLINK_XFRM, ns), ns);
    }

    /** A client for a namespace by its {@code ip netns} name, or the current one when null. */
    public static XfrmClient open(String netnsName) throws IOException {
        return open(netnsName == null ? null : NetNamespace.named(netnsName));
    }

    /** SAD: security associations. */
    public StateOperations states() {
        return states;
    }

    /** SPD: security policies. */
    public PolicyOperations policies() {
        return policies;
    }

    /** The namespace name, or null for the process's own. */
    public String namespace() {
        return namespace;
    }

    /**
     * An event fence on this client's namespace (SA, policy and expire notifications); the caller
     * closes it.
     */
    @Override
    public XfrmChangeFence openChangeFence() throws IOException {
        return new XfrmChangeFence(this);
    }

    // ------------------------------------------------------------------ IpsecKernel over netlink
    // The convention: the codecs below throw the unchecked MalformedNetlinkException (a fuzzer relies
    // on it); at this boundary a kernel answer that does not decode becomes an IOException, so the
    // context engine and the roles handle one checked failure per kernel call and never catch
    // RuntimeException on the activation path.

    private static IOException malformed(MalformedNetlinkException e) {
        return new IOException("malformed kernel answer: " + e.getMessage(), e);
    }

    @Override
    public SecurityAssociation allocSpi(AllocSpiRequest request) throws IOException {
        try {
            return states.allocSpi(request);
        } catch (MalformedNetlinkException e) {
            throw malformed(e);
        }
    }

    @Override
    public SecurityAssociation getSa(SaKey key) throws IOException {
        try {
            return states.get(key);
        } catch (MalformedNetlinkException e) {
            throw malformed(e);
        }
    }

    @Override
    public ReplayLifetimeState getReplayLifetime(SaKey key) throws IOException {
        try {
            return states.getReplayLifetime(key);
        } catch (MalformedNetlinkException e) {
            throw malformed(e);
        }
    }

    @Override
    public List<SecurityAssociation> dumpSas(AddressFilter filter) throws IOException {
        try {
            return filter == null ? states.dump() : states.dump(filter, null);
        } catch (MalformedNetlinkException e) {
            throw malformed(e);
        }
    }

    @Override
    public SecurityPolicy getPolicy(PolicyId id) throws IOException {
        try {
            return policies.get(id);
        } catch (MalformedNetlinkException e) {
            throw malformed(e);
        }
    }

    @Override
    public List<SecurityPolicy> dumpPolicies() throws IOException {
        try {
            return policies.dump();
        } catch (MalformedNetlinkException e) {
            throw malformed(e);
        }
    }

    @Override
    public void addSa(SecurityAssociation sa) throws IOException {
        try {
            states.add(sa);
        } catch (MalformedNetlinkException e) {
            throw malformed(e);
        }
    }

    @Override
    public void updateSa(SecurityAssociation sa) throws IOException {
        try {
            states.update(sa);
        } catch (MalformedNetlinkException e) {
            throw malformed(e);
        }
    }

    @Override
    public void deleteSa(SaKey key) throws IOException {
        try {
            states.delete(key);
        } catch (MalformedNetlinkException e) {
            throw malformed(e);
        }
    }

    @Override
    public void deletePolicy(PolicyId id) throws IOException {
        try {
            policies.delete(id);
        } catch (MalformedNetlinkException e) {
            throw malformed(e);
        }
    }

    /**
     * A second socket in the same namespace that receives the kernel's XFRM notifications for
     * {@code groups} (XfrmMsgType.GRP_*). The caller owns and closes it.
     */
    NetlinkSocket openEventSocket(int... groups) throws IOException {
        // Notifications come one small message per datagram: small buffers make this cheap to
        // open per operation (the snapshot's event fence does).
        NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_XFRM, netns, 64 << 10, 4 << 10);
        try {
            for (int g : groups) {
                s.joinGroup(g);
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Sends a batch (one {@code sendmsg} per socket-buffer's worth of entries; every entry is tried)
     * and returns the refused entries in order, leaving out the deletes of absent entries marked
     * {@link XfrmBatch.IfAbsent#IGNORE}. Empty: everything took effect.
     */
    @Override
    public List<XfrmFailure> apply(XfrmBatch batch) throws IOException {
        if (batch.isEmpty()) {
            return List.of();
        }
        List<NetlinkSocket.BatchFailure> refused;
        try {
            refused = socket.batch(batch.requests(), false);
        } catch (MalformedNetlinkException e) {
            throw malformed(e);
        }
        if (refused.isEmpty()) {
            return List.of();
        }
        List<XfrmFailure> out = new ArrayList<>(refused.size());
        for (NetlinkSocket.BatchFailure f : refused) {
            XfrmError kind = XfrmError.of(f.error().errno());
            if (!batch.tolerated(f.index(), kind)) {
                out.add(new XfrmFailure(f.index(), kind, f.error()));
            }
        }
        return out;
    }

    /**
     * Sets the socket's send buffer (SO_SENDBUF), which bounds how many entries of a batch go in one
     * {@code sendmsg}; returns the size the kernel granted.
     */
    public int setSendBufferSize(int bytes) throws IOException {
        return socket.setSendBufferSize(bytes);
    }

    /** The underlying socket, for this package's operations and tests. */
    NetlinkSocket socket() {
        return socket;
    }

    @Override
    public void close() {
        socket.close();
    }
}
