package io.cxt.agent.ha;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cxt.ha.CharonVersions;

/** The relay refuses at start a charon whose HA plugin speaks another protocol version, naming both. */
class CharonVersionCheckTest {
    @TempDir
    Path dir;

    private Path fakeCharon(String versionLine) throws IOException {
        Path p = dir.resolve("charon-" + versionLine.hashCode());
        Files.writeString(p, "#!/bin/sh\necho '" + versionLine + "'\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @Test
    void strongSwan5IsAccepted() throws IOException {
        Path c = fakeCharon("Linux strongSwan 5.9.8");
        assertDoesNotThrow(() -> HaHandover.checkCharonVersion(c));
    }

    @Test
    void strongSwan6IsRefusedWithBothVersionsNamed() throws IOException {
        Path c = fakeCharon("Linux strongSwan 6.0.2");
        IOException e = assertThrows(IOException.class, () -> HaHandover.checkCharonVersion(c));
        assertEquals("[charon-ha] charon is strongSwan 6.0.2, whose HA plugin speaks protocol version 5; cxagent speaks"
                + " version 3 (strongSwan 5.x up to 6.0.0) only", e.getMessage());
    }

    @Test
    void missingOrMuteCharonIsRefused() throws IOException {
        assertThrows(IOException.class, () -> HaHandover.checkCharonVersion(dir.resolve("nope")));
        Path c = fakeCharon("hello");
        assertThrows(IOException.class, () -> HaHandover.checkCharonVersion(c));
    }

    @Test
    void protocolVersionPerRelease() {
        assertEquals(3, CharonVersions.haProtocol(new int[] {5, 9, 14}));
        assertEquals(3, CharonVersions.haProtocol(new int[] {6, 0, 0}));
        assertEquals(4, CharonVersions.haProtocol(new int[] {6, 0, 1}));
        assertEquals(5, CharonVersions.haProtocol(new int[] {6, 0, 2}));
        assertEquals(5, CharonVersions.haProtocol(new int[] {6, 1, 0}));
    }
}
