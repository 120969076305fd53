package io.cxt.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/** Socket options the native socket classes share (one descriptor each; no state here). */
final class NativeSockets {
    private NativeSockets() {
    }

    /**
     * A socket of a raw kind (needs CAP_NET_RAW) in {@code ns}, here when null; {@code what} names it in the error,
     * which says what is missing when the kernel refuses.
     */
    static int openRaw(NetNamespace ns, int domain, int type, int protocol, String what) throws IOException {
        int fd = ns == null ? LibC.INSTANCE.socket(domain, type, protocol) : ns.runInside(() -> {
            int f = LibC.INSTANCE.socket(domain, type, protocol);
            if (f < 0) {
                throw new ErrnoException(what + " in " + ns, LibC.errno(), "needs CAP_NET_RAW");
            }
            return f;
        });
        if (fd < 0) {
            throw new ErrnoException(what, LibC.errno(), "needs CAP_NET_RAW");
        }
        return fd;
    }

    static void setInt(int fd, int level, int name, int value, String what) throws ErrnoException {
        if (!trySetInt(fd, level, name, value)) {
            throw ErrnoException.last("setsockopt " + what);
        }
    }

    static boolean trySetInt(int fd, int level, int name, int value) {
        ByteBuffer v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, value);
        return LibC.INSTANCE.setsockopt(fd, level, name, v, 4) == 0;
    }

    /** SO_RCVTIMEO: the longest a receive blocks (at least 1 ms). */
    static void setReceiveTimeout(int fd, Duration timeout) throws ErrnoException {
        long ms = Math.max(1, timeout.toMillis());
        ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(0, ms / 1000).putLong(8, ms % 1000 * 1000);
        if (LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, 16) < 0) {
            throw ErrnoException.last("setsockopt SO_RCVTIMEO");
        }
    }

    /** SO_ATTACH_FILTER (or another option taking a struct sock_fprog): the kernel copies the program. */
    static void attach(int fd, int option, SocketFilter program, String what) throws ErrnoException {
        byte[] code = program.encode();
        Pointer insns = Memory.allocateDirect(LibC.runtime(), code.length, true);
        insns.put(0, code, 0, code.length);
        ByteBuffer fprog = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        fprog.putShort(0, (short) program.length()).putLong(8, insns.address());
        if (LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, option, fprog, 16) < 0) {
            throw ErrnoException.last("setsockopt " + what);
        }
        // insns is referenced until here: the kernel copied the program during the call
        java.lang.ref.Reference.reachabilityFence(insns);
    }

    static void attachFilter(int fd, SocketFilter program) throws ErrnoException {
        attach(fd, LibC.SO_ATTACH_FILTER, program, "SO_ATTACH_FILTER");
    }

    /** Packets the kernel dropped for the socket (full buffer, filter), from SO_MEMINFO; -1 if unknown. */
    static long drops(int fd) {
        ByteBuffer info = ByteBuffer.allocate(9 * 4).order(ByteOrder.nativeOrder());
        IntByReference len = new IntByReference(info.capacity());
        if (fd < 0 || LibC.INSTANCE.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_MEMINFO, info, len) < 0 || len.getValue() < 9 * 4) {
            return -1;
        }
        return Integer.toUnsignedLong(info.getInt(8 * 4)); // SK_MEMINFO_DROPS
    }
}
