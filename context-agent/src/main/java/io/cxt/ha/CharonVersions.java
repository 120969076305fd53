package io.cxt.ha;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Which HA protocol version a strongSwan release speaks (ha_message.h's HA_MESSAGE_VERSION per tag). */
public final class CharonVersions {
    private static final Pattern VERSION = Pattern.compile("strongSwan\\s+U?(\\d+)\\.(\\d+)\\.(\\d+)");

    private CharonVersions() {
    }

    /** The strongSwan version in {@code charon --version} output ("Linux strongSwan 5.9.8"), as {major, minor, patch}. */
    public static Optional<int[]> parse(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))});
    }

    /** HA protocol version of a release: 3 up to 6.0.0, 4 in 6.0.1, 5 from 6.0.2 (attributes renumbered). */
    public static int haProtocol(int[] v) {
        if (v[0] < 6 || v[0] == 6 && v[1] == 0 && v[2] == 0) {
            return 3;
        }
        if (v[0] == 6 && v[1] == 0 && v[2] == 1) {
            return 4;
        }
        return 5;
    }
}
