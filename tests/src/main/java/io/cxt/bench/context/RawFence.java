package io.cxt.bench.context;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.cxt.sys.ErrnoException;
import io.cxt.sys.LibC;
import io.cxt.sys.NetNamespace;
import io.cxt.xfrm.XfrmMsgType;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * The system calls of ContextSnapshotter's event fence without cxt's socket object: what
 * XfrmClient.openEventSocket and NetlinkSocket do to open it (setns into the namespace and back,
 * socket, bind, getsockname, the extended-ACK, capped-ACK and buffer-size options, three group
 * joins), the fence's two non-blocking drains, and close. Everything NetlinkSocket adds on top is
 * Java: its direct buffers (64 KiB/4 KiB for event sockets since a483d19; 1 MiB each before), allocated (and zeroed) per socket.
 */
final class RawFence {

    private static final int NETLINK_XFRM = 6;
    private static final int EAGAIN = 11;
    private static final int[] GROUPS = {XfrmMsgType.GRP_SA, XfrmMsgType.GRP_POLICY, XfrmMsgType.GRP_EXPIRE};

    private final LibC libc = LibC.INSTANCE;
    private final NetNamespace ns;
    private final ByteBuffer sockaddr = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
    private final ByteBuffer name = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
    private final ByteBuffer option = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
    private final ByteBuffer recvBuffer = ByteBuffer.allocateDirect(4096);
    private final Pointer recvPointer = Pointer.wrap(LibC.runtime(), recvBuffer);

    RawFence(NetNamespace ns) {
        this.ns = ns;
        sockaddr.putShort((short) LibC.AF_NETLINK).putShort((short) 0).putInt(0).putInt(0).flip();
    }

    void openDrainClose() throws IOException {
        int fd = ns.runInside(() -> libc.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, NETLINK_XFRM));
        if (fd < 0) {
            throw ErrnoException.last("socket");
        }
        try {
            check(libc.bind(fd, sockaddr, 12), "bind");
            check(libc.getsockname(fd, name, new IntByReference(12)), "getsockname");
            setOption(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1);
            setOption(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1);
            setOption(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, 8 << 20);
            check(libc.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, option, new IntByReference(4)), "getsockopt");
            setOption(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, 4 << 20);
            check(libc.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, option, new IntByReference(4)), "getsockopt");
            for (int g : GROUPS) {
                setOption(fd, LibC.SOL_NETLINK, LibC.NETLINK_ADD_MEMBERSHIP, g);
            }
            for (int i = 0; i < 2; i++) {
                long got = libc.recv(fd, recvPointer, 4096, LibC.MSG_TRUNC | LibC.MSG_DONTWAIT);
                BenchChecks.check(got < 0 && LibC.errno() == EAGAIN, "the raw fence should find no events");
            }
        } finally {
            libc.close(fd);
        }
    }

    private void setOption(int fd, int level, int opt, int value) throws ErrnoException {
        option.putInt(0, value);
        check(libc.setsockopt(fd, level, opt, option, 4), "setsockopt " + opt);
    }

    private static void check(int rc, String what) throws ErrnoException {
        if (rc < 0) {
            throw ErrnoException.last(what);
        }
    }
}
