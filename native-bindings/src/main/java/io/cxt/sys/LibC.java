package io.cxt.sys;

import java.nio.ByteBuffer;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc functions cxt needs, bound through JNR-FFI. This interface and the classes of this
 * module are the only place in the project that calls native code. Every call saves errno, read
 * it through {@link #errno()} right after a call that returned -1.
 */
public interface LibC {

    int AF_UNIX = 1;
    int AF_INET = 2;
    int AF_INET6 = 10;
    int AF_NETLINK = 16;

    int SOCK_STREAM = 1;
    int SOCK_DGRAM = 2;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;

    int SOL_SOCKET = 1;
    int SO_SNDBUF = 7;
    int SO_RCVBUF = 8;
    int SO_RCVTIMEO = 20;
    int SO_RCVBUFFORCE = 33;
    int SO_SNDBUFFORCE = 32;
    int SO_REUSEPORT = 15;
    int SO_ATTACH_FILTER = 26;
    int SO_ATTACH_REUSEPORT_CBPF = 51;
    int SO_MEMINFO = 55;

    int SOL_NETLINK = 270;
    int NETLINK_ADD_MEMBERSHIP = 1;
    int NETLINK_DROP_MEMBERSHIP = 2;
    int NETLINK_CAP_ACK = 10;
    int NETLINK_EXT_ACK = 11;
    int NETLINK_GET_STRICT_CHK = 12;

    int MSG_DONTWAIT = 0x40;
    int MSG_TRUNC = 0x20;
    int MSG_PEEK = 0x2;
    int MSG_WAITFORONE = 0x10000;
    int SHUT_RDWR = 2;

    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;

    int CLONE_NEWNET = 0x40000000;

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, @In ByteBuffer addr, int addrlen);

    @SaveError
    int getsockname(int fd, @Out ByteBuffer addr, @In @Out IntByReference addrlen);

    @SaveError
    int setsockopt(int fd, int level, int optname, @In ByteBuffer optval, int optlen);

    @SaveError
    int getsockopt(int fd, int level, int optname, @Out ByteBuffer optval, @In @Out IntByReference optlen);

    @SaveError
    @ssize_t long send(int fd, @In ByteBuffer buf, @size_t long len, int flags);

    @SaveError
    @ssize_t long send(int fd, Pointer buf, @size_t long len, int flags);

    @SaveError
    @ssize_t long sendto(int fd, @In ByteBuffer buf, @size_t long len, int flags, @In ByteBuffer addr, int addrlen);

    @SaveError
    @ssize_t long recv(int fd, @Out ByteBuffer buf, @size_t long len, int flags);

    @SaveError
    @ssize_t long recv(int fd, Pointer buf, @size_t long len, int flags);

    @SaveError
    @ssize_t long recvfrom(int fd, @Out ByteBuffer buf, @size_t long len, int flags,
                           @Out ByteBuffer addr, @In @Out IntByReference addrlen);

    /** recvmsg(2) with a caller-built struct msghdr (used for ancillary data such as the IPv6 hop limit). */
    @SaveError
    @ssize_t long recvmsg(int fd, Pointer msghdr, int flags);

    /** recvmmsg(2) into a caller-built array of struct mmsghdr; timeout may be null. */
    @SaveError
    int recvmmsg(int fd, Pointer msgvec, int vlen, int flags, Pointer timeout);

    /** sendmmsg(2) from a caller-built array of struct mmsghdr. */
    @SaveError
    int sendmmsg(int fd, Pointer msgvec, int vlen, int flags);

    @SaveError
    int shutdown(int fd, int how);

    @SaveError
    int close(int fd);

    @SaveError
    int open(String path, int flags);

    @SaveError
    int setns(int fd, int nstype);

    @SaveError
    int unshare(int flags);

    /** pid 0: the calling thread; param: struct sched_param (one int, the priority). */
    @SaveError
    int sched_setscheduler(int pid, int policy, @In int[] param);

    @SaveError
    int sched_getscheduler(int pid);

    /** which PRIO_PROCESS (0) with a thread id sets that thread's nice value (Linux). */
    @SaveError
    int setpriority(int which, int who, int prio);

    /** A thread's nice value; -1 is also a valid result, check errno (cleared first by the caller). */
    @SaveError
    int getpriority(int which, int who);

    /** The calling thread's kernel id (glibc 2.30+). */
    int gettid();

    String strerror(int errnum);

    int getpid();

    /** The one bound instance. */
    LibC INSTANCE = LibraryLoader.create(LibC.class)
            .option(LibraryOption.SaveError, true)
            .load("c");

    /** errno of the last call on this thread. */
    static int errno() {
        return Runtime.getRuntime(INSTANCE).getLastError();
    }

    /** The JNR runtime of the bound library, for wrapping memory. */
    static Runtime runtime() {
        return Runtime.getRuntime(INSTANCE);
    }
}
