package io.cxt.agent.control;

/**
 * Who is at the other end of a control connection, as the kernel says (SO_PEERCRED: the peer's
 * pid, effective uid and effective gid when it connected).
 */
public record PeerCredentials(int pid, int uid, int gid) {
}
