package io.cxt.sys;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A classic BPF program ({@code struct sock_filter[]}) for a UDP socket, and the two programs cxt
 * attaches. Pure: building and encoding a program touches no socket ({@link NativeUdpSocket}
 * attaches it).
 *
 * <p>Why in the kernel: a forged datagram that a filter drops never takes a place in the socket's
 * receive buffer and never wakes the agent, so a flood of them cannot crowd out the one datagram
 * that matters (issue 12: at a few thousand forged datagrams/s the nAR's receive buffers overflowed
 * and the legitimate MN's CTAR was dropped with the flood).
 *
 * <ul>
 *   <li>{@link #admitOnlySources}: a socket filter ({@code SO_ATTACH_FILTER}) that keeps only
 *       datagrams from the given source address and port (the router channel's configured peers;
 *       the envelope check in user space still decides, this only sheds what it would refuse
 *       anyway). It runs with the packet's data at the UDP header and reads the IP source through
 *       the kernel's network-header offset ({@link #NET_OFF}).</li>
 *   <li>{@link #steerCtarsFor}: a reuseport selector ({@code SO_ATTACH_REUSEPORT_CBPF}) for a group
 *       of two sockets on the MN-facing port: a CTAR that names one of the given MN previous
 *       addresses (a context held here, so an expected activation) goes to socket 0, everything else
 *       to socket 1. It runs with the data at the UDP payload (the CXTP header).</li>
 * </ul>
 * Loads beyond the end of a packet end a classic program with 0, so both programs check the length
 * first (for the selector, 0 would be the priority socket).
 */
public record SocketFilter(List<Instruction> instructions) {

    /** {@code struct sock_filter}: opcode, jump offsets if true and if false (forward, 0-255), constant. */
    public record Instruction(int code, int jt, int jf, int k) {
        public Instruction {
            if (code < 0 || code > 0xffff || jt < 0 || jt > 255 || jf < 0 || jf > 255) {
                throw new IllegalArgumentException("bad classic BPF instruction: code " + code + " jt " + jt + " jf " + jf);
            }
        }
    }

    /** The kernel's limit on a classic program (BPF_MAXINSNS). */
    public static final int MAX_INSTRUCTIONS = 4096;
    /** Most sources {@link #admitOnlySources} takes (12 instructions each). */
    public static final int MAX_SOURCES = 256;
    /** Most addresses {@link #steerCtarsFor} takes (9 instructions each); further ones go to socket 1. */
    public static final int MAX_STEERED = 256;
    /** SKF_NET_OFF: absolute loads from this base read the network (IP) header. */
    public static final int NET_OFF = -0x100000;
    /** What a socket filter returns to keep the whole datagram. */
    public static final int KEEP = 0xffff_ffff;

    static final int LD_W_ABS = 0x20;
    static final int LD_H_ABS = 0x28;
    static final int LD_B_ABS = 0x30;
    static final int LD_W_LEN = 0x80;
    static final int ALU_AND_K = 0x54;
    static final int JEQ_K = 0x15;
    static final int JGE_K = 0x35;
    static final int JSET_K = 0x45;
    static final int RET_K = 0x06;

    /** SKF_AD_OFF: absolute loads from this base read the kernel's ancillary data about the packet. */
    static final int AD_OFF = -0x1000;
    /** SKF_AD_PROTOCOL: the packet's EtherType (skb->protocol, host order). */
    static final int AD_PROTOCOL = 0;
    /** SKF_AD_PKTTYPE: PACKET_HOST, ..., PACKET_OUTGOING (4). */
    static final int AD_PKTTYPE = 4;
    static final int ETH_P_IPV6 = 0x86dd;
    static final int PACKET_OUTGOING = 4;
    static final int IPPROTO_UDP = 17;
    /** The IKE header's flags octet: R (response). */
    static final int IKE_FLAG_RESPONSE = 0x20;
    /** The IKE header's flags octet after the UDP header (+8) and, on port 4500, the 4-octet non-ESP marker. */
    static final int IKE_FLAGS_AT = 19;

    /** The first octet of a CXTP version 1 CTAR (version 1 in the top 3 bits, type 1). */
    static final int CTAR_FIRST_OCTET = 0x21;
    /** The V flag (IPv4 addresses) in a CXTP message's second octet. */
    static final int CXTP_FLAG_V = 0x80;
    /** Where a CTAR's MN previous address starts (after the 4-octet common header). */
    static final int CTAR_PREVIOUS_ADDRESS = 4;

    public SocketFilter {
        instructions = List.copyOf(instructions);
        if (instructions.isEmpty() || instructions.size() > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("a classic BPF program has 1 to " + MAX_INSTRUCTIONS + " instructions: "
                    + instructions.size());
        }
        for (int i = 0; i < instructions.size(); i++) {
            Instruction in = instructions.get(i);
            boolean jump = (in.code & 0x07) == 0x05;
            if (jump && (i + 1 + Math.max(in.jt, in.jf) >= instructions.size())) {
                throw new IllegalArgumentException("instruction " + i + " jumps past the end");
            }
        }
        if ((instructions.get(instructions.size() - 1).code & 0x07) != 0x06) {
            throw new IllegalArgumentException("a classic BPF program must end with a return");
        }
    }

    /** The program as the kernel reads it: 8 octets per instruction in host byte order. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(instructions.size() * 8).order(ByteOrder.nativeOrder());
        for (Instruction in : instructions) {
            b.putShort((short) in.code).put((byte) in.jt).put((byte) in.jf).putInt(in.k);
        }
        return b.array();
    }

    public int length() {
        return instructions.size();
    }

    /**
     * A socket filter keeping only datagrams whose IP source address and UDP source port are one of
     * {@code sources} (of the socket's family: {@code ipv6}); all others, and datagrams of the other IP
     * version, are dropped in the kernel.
     */
    public static SocketFilter admitOnlySources(Collection<InetSocketAddress> sources, boolean ipv6) {
        if (sources.size() > MAX_SOURCES) {
            throw new IllegalArgumentException("at most " + MAX_SOURCES + " sources: " + sources.size());
        }
        List<Instruction> p = new ArrayList<>();
        // IP version: 6 or 4 in the top nibble of the network header's first octet
        p.add(new Instruction(LD_B_ABS, 0, 0, NET_OFF));
        p.add(new Instruction(ALU_AND_K, 0, 0, 0xf0));
        p.add(new Instruction(JEQ_K, 1, 0, ipv6 ? 0x60 : 0x40));
        p.add(new Instruction(RET_K, 0, 0, 0));
        int sourceAt = NET_OFF + (ipv6 ? 8 : 12);
        for (InetSocketAddress s : sources) {
            InetAddress a = s.getAddress();
            if (a == null || (a instanceof Inet6Address) != ipv6) {
                continue; // unresolved or of the other family: cannot reach this socket
            }
            // the address, then the port; keep. A mismatch skips to the next source's block.
            matchAddress(p, a, sourceAt, 3);
            p.add(new Instruction(LD_H_ABS, 0, 0, 0)); // the UDP header's source port
            p.add(new Instruction(JEQ_K, 0, 1, s.getPort()));
            p.add(new Instruction(RET_K, 0, 0, KEEP));
        }
        p.add(new Instruction(RET_K, 0, 0, 0));
        return new SocketFilter(p);
    }

    /**
     * A reuseport selector for the MN-facing port's two sockets: CTARs naming one of {@code
     * previousAddresses} (of the socket's family: {@code ipv6}; the first {@link #MAX_STEERED})
     * return 0, everything else 1.
     */
    public static SocketFilter steerCtarsFor(Collection<InetAddress> previousAddresses, boolean ipv6) {
        List<Instruction> p = new ArrayList<>();
        int addressLength = ipv6 ? 16 : 4;
        p.add(new Instruction(LD_W_LEN, 0, 0, 0));
        p.add(new Instruction(JGE_K, 1, 0, CTAR_PREVIOUS_ADDRESS + addressLength));
        p.add(new Instruction(RET_K, 0, 0, 1));
        p.add(new Instruction(LD_B_ABS, 0, 0, 0));
        p.add(new Instruction(JEQ_K, 1, 0, CTAR_FIRST_OCTET));
        p.add(new Instruction(RET_K, 0, 0, 1));
        p.add(new Instruction(LD_B_ABS, 0, 0, 1));
        // the V flag must say what the socket's family says
        p.add(ipv6 ? new Instruction(JSET_K, 0, 1, CXTP_FLAG_V) : new Instruction(JSET_K, 1, 0, CXTP_FLAG_V));
        p.add(new Instruction(RET_K, 0, 0, 1));
        int steered = 0;
        for (InetAddress a : previousAddresses) {
            if ((a instanceof Inet6Address) != ipv6 || !(a instanceof Inet6Address || a instanceof Inet4Address)) {
                continue;
            }
            if (steered++ == MAX_STEERED) {
                break;
            }
            matchAddress(p, a, CTAR_PREVIOUS_ADDRESS, 1);
            p.add(new Instruction(RET_K, 0, 0, 0));
        }
        p.add(new Instruction(RET_K, 0, 0, 1));
        return new SocketFilter(p);
    }

    /**
     * A packet-socket filter (AF_PACKET, any interface) keeping only IKE responses this host sends: IPv6 packets
     * leaving it (PACKET_OUTGOING) with a UDP header right after the fixed IPv6 header, source port 500 or 4500
     * (on 4500 the non-ESP marker, four zero octets, must follow: ESP-in-UDP is never kept) and the R flag set in
     * the IKE header. Everything else, the bulk of the traffic, is dropped in the kernel and never reaches user
     * space. An IKE packet behind IPv6 extension headers is not kept (charon sends none).
     */
    public static SocketFilter outgoingIkeResponses() {
        int udp = NET_OFF + 40;
        List<Instruction> p = new ArrayList<>();
        // indices in comments; a jump offset counts the instructions skipped
        p.add(new Instruction(LD_W_ABS, 0, 0, AD_OFF + AD_PROTOCOL));      // 0
        p.add(new Instruction(JEQ_K, 0, 14, ETH_P_IPV6));                  // 1 -> 16 drop
        p.add(new Instruction(LD_W_ABS, 0, 0, AD_OFF + AD_PKTTYPE));       // 2
        p.add(new Instruction(JEQ_K, 0, 12, PACKET_OUTGOING));             // 3 -> 16
        p.add(new Instruction(LD_B_ABS, 0, 0, NET_OFF + 6));               // 4 next header
        p.add(new Instruction(JEQ_K, 0, 10, IPPROTO_UDP));                 // 5 -> 16
        p.add(new Instruction(LD_H_ABS, 0, 0, udp));                       // 6 source port
        p.add(new Instruction(JEQ_K, 0, 4, 4500));                         // 7 -> 12
        p.add(new Instruction(LD_W_ABS, 0, 0, udp + 8));                   // 8 non-ESP marker
        p.add(new Instruction(JEQ_K, 0, 6, 0));                            // 9 -> 16
        p.add(new Instruction(LD_B_ABS, 0, 0, udp + 8 + 4 + IKE_FLAGS_AT)); // 10
        p.add(new Instruction(JSET_K, 3, 4, IKE_FLAG_RESPONSE));           // 11 -> 15 keep, 16 drop
        p.add(new Instruction(JEQ_K, 0, 3, 500));                          // 12 -> 16
        p.add(new Instruction(LD_B_ABS, 0, 0, udp + 8 + IKE_FLAGS_AT));    // 13
        p.add(new Instruction(JSET_K, 0, 1, IKE_FLAG_RESPONSE));           // 14 -> 15 keep, 16 drop
        p.add(new Instruction(RET_K, 0, 0, KEEP));                         // 15
        p.add(new Instruction(RET_K, 0, 0, 0));                            // 16
        return new SocketFilter(p);
    }

    /** A filter that keeps nothing: for a socket that only sends (a raw socket would get a copy of every packet). */
    public static SocketFilter dropAll() {
        return new SocketFilter(List.of(new Instruction(RET_K, 0, 0, 0)));
    }

    /**
     * Appends the comparison of the octets at {@code at} with {@code a}, word by word: on a mismatch the
     * program jumps past the {@code after} instructions the caller appends next (the rest of this block).
     */
    private static void matchAddress(List<Instruction> p, InetAddress a, int at, int after) {
        int[] words = words(a);
        int n = words.length;
        for (int w = 0; w < n; w++) {
            p.add(new Instruction(LD_W_ABS, 0, 0, at + 4 * w));
            p.add(new Instruction(JEQ_K, 0, 2 * (n - w - 1) + after, words[w]));
        }
    }

    /** The address as network-order 32-bit words (classic BPF word loads are network order). */
    private static int[] words(InetAddress a) {
        byte[] b = a.getAddress();
        int[] w = new int[b.length / 4];
        for (int i = 0; i < w.length; i++) {
            w[i] = (b[4 * i] & 0xff) << 24 | (b[4 * i + 1] & 0xff) << 16 | (b[4 * i + 2] & 0xff) << 8 | (b[4 * i + 3] & 0xff);
        }
        return w;
    }
}
