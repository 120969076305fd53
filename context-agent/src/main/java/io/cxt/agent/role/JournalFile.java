package io.cxt.agent.role;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.role.RuntimeJournal.Entry;
import io.cxt.agent.role.RuntimeJournal.OutboundSa;
import io.cxt.agent.role.RuntimeJournal.OwnedPolicy;
import io.cxt.agent.role.RuntimeJournal.OwnedSa;
import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.PolicyId;
import io.cxt.xfrm.SaKey;

/**
 * The open entries of a {@link RuntimeJournal} file (its grammar is documented there): a pure reader, so that what
 * a restart does follows from the file alone. Unreadable lines are skipped with a warning (a file cut short by a
 * crash ends in at most one partial line).
 */
record JournalFile(List<Open> holds, List<Open> sent, List<Open> moved, long maxSerial) {

    private static final Logger LOG = LoggerFactory.getLogger(JournalFile.class);
    private static final HexFormat HEX = HexFormat.of();

    enum Kind { HOLD, SENT, MOVED }

    /**
     * One open entry.
     *
     * @param serial 0 in files of earlier versions
     * @param peer the other router's name (null in holds of earlier versions)
     * @param predictive whether the transfer was predictive (SENT, MOVED)
     */
    record Open(Kind kind, Entry entry, long serial, String peer, boolean predictive) {
        Open with(Kind k) {
            return new Open(k, entry, serial, peer, predictive);
        }

        Open with(Entry e) {
            return new Open(kind, e, serial, peer, predictive);
        }
    }

    static JournalFile read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new JournalFile(List.of(), List.of(), List.of(), 0);
        }
        return parse(Files.readAllLines(file, StandardCharsets.US_ASCII));
    }

    static JournalFile parse(List<String> lines) {
        Map<String, Open> router = new LinkedHashMap<>(); // nAR side by MN
        Map<String, Open> transfers = new LinkedHashMap<>(); // pAR side by MN
        long maxSerial = 0;
        for (String line : lines) {
            String[] f = line.trim().split(" ");
            if (f.length < 2) {
                continue;
            }
            String mn = f[1];
            try {
                long serial = f.length > 2 && isSerialRecord(f[0]) ? Long.parseLong(f[2]) : 0;
                maxSerial = Math.max(maxSerial, serial);
                switch (f[0]) {
                    case "hold" -> router.put(mn, new Open(Kind.HOLD, Entry.empty(mn), serial, field(f, 3), false));
                    case "active", "replied", "done" -> {
                        Open o = router.get(mn);
                        if (o != null && ends(o, serial)) {
                            router.remove(mn);
                        }
                    }
                    case "sa" -> router.computeIfPresent(mn, (k, o) -> o.with(new Entry(mn,
                            plus(o.entry().sas(), new OwnedSa(SaKey.decode(HEX.parseHex(f[2])), field(f, 3))),
                            o.entry().outbound(), o.entry().policies())));
                    case "out" -> router.computeIfPresent(mn, (k, o) -> o.with(new Entry(mn,
                            o.entry().sas(), plus(o.entry().outbound(), new OutboundSa(AddressText.parse(f[2]),
                                    Integer.parseUnsignedInt(f[3]), Integer.parseInt(f[4]), field(f, 5))),
                            o.entry().policies())));
                    case "pol" -> router.computeIfPresent(mn, (k, o) -> o.with(new Entry(mn,
                            o.entry().sas(), o.entry().outbound(), plus(o.entry().policies(),
                                    new OwnedPolicy(PolicyId.decode(HEX.parseHex(f[2])), field(f, 3))))));
                    case "sent" -> transfers.put(mn, new Open(Kind.SENT, Entry.empty(mn), serial, f[3],
                            "p".equals(field(f, 4))));
                    case "psa" -> transfers.computeIfPresent(mn, (k, o) -> o.with(new Entry(mn,
                            plus(o.entry().sas(), new OwnedSa(SaKey.decode(HEX.parseHex(f[2])), field(f, 3))),
                            o.entry().outbound(), o.entry().policies())));
                    case "ppol" -> transfers.computeIfPresent(mn, (k, o) -> o.with(new Entry(mn, o.entry().sas(),
                            o.entry().outbound(), plus(o.entry().policies(),
                                    new OwnedPolicy(PolicyId.decode(HEX.parseHex(f[2])), field(f, 3))))));
                    case "moved" -> {
                        Open o = transfers.get(mn);
                        if (o != null && ends(o, serial)) {
                            transfers.put(mn, o.with(Kind.MOVED));
                        }
                    }
                    case "released" -> {
                        Open o = transfers.get(mn);
                        if (o != null && ends(o, serial)) {
                            transfers.remove(mn);
                        }
                    }
                    default -> LOG.warn("journal: unknown record '{}'", f[0]);
                }
            } catch (RuntimeException e) {
                LOG.warn("journal: unreadable line skipped: {}", e.toString());
            }
        }
        List<Open> holds = new ArrayList<>(router.values());
        List<Open> sent = new ArrayList<>();
        List<Open> moved = new ArrayList<>();
        for (Open o : transfers.values()) {
            (o.kind() == Kind.SENT ? sent : moved).add(o);
        }
        return new JournalFile(holds, sent, moved, maxSerial);
    }

    private static boolean isSerialRecord(String verb) {
        return switch (verb) {
            case "hold", "active", "replied", "done", "sent", "moved", "released" -> true;
            default -> false;
        };
    }

    /** An end record names the open one's serial; records without one (earlier versions) end whatever is open. */
    private static boolean ends(Open o, long serial) {
        return serial == 0 || o.serial() == 0 || serial == o.serial();
    }

    private static String field(String[] f, int i) {
        return f.length > i ? f[i] : null;
    }

    private static <T> List<T> plus(List<T> l, T x) {
        List<T> out = new ArrayList<>(l);
        out.add(x);
        return out;
    }
}
