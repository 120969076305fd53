package io.cxt.agent.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Decides who may use the control socket: uid 0, or — when a control group is configured — a
 * process whose SO_PEERCRED gid is that group, or whose user has it as primary group
 * (/etc/passwd) or is listed as a member of it (/etc/group).
 *
 * <p>Why the files: SO_PEERCRED carries only the peer's uid and gid, not its supplementary groups
 * (SO_PEERGROUPS is newer and not in jnr-unixsocket), so membership is looked up the way {@code id -G}
 * would for a login: the passwd primary group plus the group file's member lists. The files are read
 * on every connection, so adding a user to the group takes effect without restarting cxagent.
 * Groups served only by NSS modules other than files (LDAP, sssd) are not seen; use a local group.
 * The socket itself is mode 0660 and owned by the group, so the kernel already keeps others out;
 * this check is the second line (a socket made world-writable by mistake still refuses them).
 */
public final class ControlAuthorizer {

    private final Optional<String> group;
    private final Path groupFile;
    private final Path passwdFile;

    public ControlAuthorizer(Optional<String> group) {
        this(group, Path.of("/etc/group"), Path.of("/etc/passwd"));
    }

    /** With other group and passwd files (tests). */
    public ControlAuthorizer(Optional<String> group, Path groupFile, Path passwdFile) {
        this.group = group;
        this.groupFile = groupFile;
        this.passwdFile = passwdFile;
    }

    public Optional<String> group() {
        return group;
    }

    /** Null when allowed; otherwise the one-line reason sent to the peer. */
    public String refusal(PeerCredentials peer) {
        if (peer.uid() == 0) {
            return null;
        }
        if (group.isEmpty()) {
            return "permission denied: uid " + Integer.toUnsignedString(peer.uid()) + " is not root (no control-group configured)";
        }
        String g = group.get();
        OptionalInt gid = groupId(g);
        if (gid.isPresent()) {
            int id = gid.getAsInt();
            if (peer.gid() == id || primaryGroup(peer.uid()).orElse(-1) == id) {
                return null;
            }
            Optional<String> user = userName(peer.uid());
            if (user.isPresent() && members(g).contains(user.get())) {
                return null;
            }
        }
        return "permission denied: uid " + Integer.toUnsignedString(peer.uid()) + " is not root and not in group " + g;
    }

    /** The gid of a group in the group file. */
    public OptionalInt groupId(String name) {
        for (String[] f : entries(groupFile)) {
            if (f.length >= 3 && f[0].equals(name)) {
                try {
                    return OptionalInt.of(Integer.parseUnsignedInt(f[2]));
                } catch (NumberFormatException e) {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }

    private List<String> members(String name) {
        for (String[] f : entries(groupFile)) {
            if (f.length >= 4 && f[0].equals(name)) {
                return List.of(f[3].split(","));
            }
        }
        return List.of();
    }

    private Optional<String> userName(int uid) {
        for (String[] f : entries(passwdFile)) {
            if (f.length >= 4 && f[2].equals(Integer.toUnsignedString(uid))) {
                return Optional.of(f[0]);
            }
        }
        return Optional.empty();
    }

    private OptionalInt primaryGroup(int uid) {
        for (String[] f : entries(passwdFile)) {
            if (f.length >= 4 && f[2].equals(Integer.toUnsignedString(uid))) {
                try {
                    return OptionalInt.of(Integer.parseUnsignedInt(f[3]));
                } catch (NumberFormatException e) {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }

    private static List<String[]> entries(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split(":", -1))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
