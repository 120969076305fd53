package io.cxt.agent.ike;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import io.cxt.agent.EventSink;
import io.cxt.agent.control.ControlException;
import io.cxt.agent.view.IkeSaView;
import io.cxt.agent.view.OperationResult;
import io.cxt.ike.ChildSa;
import io.cxt.ike.IkeAlgorithms;
import io.cxt.ike.IkeContextFormatException;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.IkeSaContextJson;
import io.cxt.ike.IntegrityAlgorithm;
import io.cxt.ike.PadEntry;

/**
 * The IKE SAs an agent holds, keyed by initiator SPI, each with its owner (the mobile node's
 * address text, "" if unknown). Thread-safe: every operation is atomic under the store's lock, and
 * {@link #update} applies a change to the current value (message IDs and SPIs change under
 * concurrent senders and receivers). Contexts are immutable; what leaves the store for display is
 * an {@link IkeSaView}, which never contains key material.
 *
 * <p>Keys: contexts derived from one another ({@code withMessageIds}, {@code applySpiUpdate}) share
 * key objects, so an update never wipes; {@link #remove} and replacing an SA by a separately made
 * one wipe the dropped keys.
 */
public final class IkeSaStore implements IkeCommands {

    /** An IKE SA and who it belongs to. */
    public record Entry(IkeSaContext sa, String owner) {
        public Entry {
            owner = owner == null ? "" : owner;
        }
    }

    private final EventSink events;
    private final Map<Long, Entry> bySpi = new LinkedHashMap<>();

    public IkeSaStore(EventSink events) {
        this.events = events == null ? EventSink.NONE : events;
    }

    /** Adds or replaces the SA with this initiator SPI. */
    public synchronized void put(IkeSaContext sa, String owner) {
        Entry old = bySpi.put(sa.initiatorSpi(), new Entry(sa, owner));
        if (old != null && old.sa().keys() != sa.keys()) {
            old.sa().wipe();
        }
    }

    /** Imports a cxt-ike-sa/1 document (docs/ike.md) for {@code owner}. */
    public OperationResult importJson(String json, String owner) throws IkeContextFormatException {
        IkeSaContext sa = IkeSaContextJson.read(json);
        put(sa, owner);
        String spi = hex64(sa.initiatorSpi());
        events.emit("ike-imported", owner == null ? "" : owner, "IKE SA " + spi + "/" + hex64(sa.responderSpi())
                + " imported (" + sa.childSas().size() + " child SAs)");
        Map<String, Object> details = new HashMap<>();
        details.put("initiatorSpi", spi);
        details.put("responderSpi", hex64(sa.responderSpi()));
        details.put("childSas", sa.childSas().size());
        return new OperationResult(true, "imported IKE SA " + spi + (owner == null || owner.isEmpty() ? "" : " for " + owner),
                details);
    }

    public synchronized Optional<Entry> entry(long initiatorSpi) {
        return Optional.ofNullable(bySpi.get(initiatorSpi));
    }

    public Optional<IkeSaContext> get(long initiatorSpi) {
        return entry(initiatorSpi).map(Entry::sa);
    }

    /** The first SA whose owner is {@code owner} (address text as given to put/import). */
    public synchronized Optional<Entry> findByOwner(String owner) {
        if (owner == null || owner.isEmpty()) {
            return Optional.empty();
        }
        return bySpi.values().stream().filter(e -> e.owner().equals(owner)).findFirst();
    }

    /**
     * Replaces the SA with {@code change} applied to its current value, atomically; the entry moves if
     * the change replaced the initiator SPI. Returns the new value.
     *
     * @throws IllegalArgumentException if there is no such SA, or the change throws it
     */
    public synchronized IkeSaContext update(long initiatorSpi, UnaryOperator<IkeSaContext> change) {
        Entry e = bySpi.get(initiatorSpi);
        if (e == null) {
            throw new IllegalArgumentException("no IKE SA with initiator SPI " + hex64(initiatorSpi));
        }
        IkeSaContext next = change.apply(e.sa());
        if (next.initiatorSpi() != initiatorSpi) {
            bySpi.remove(initiatorSpi);
        }
        bySpi.put(next.initiatorSpi(), new Entry(next, e.owner()));
        return next;
    }

    /** Removes the SA and wipes its keys; false if there was none. */
    public boolean remove(long initiatorSpi) {
        Entry e;
        synchronized (this) {
            e = bySpi.remove(initiatorSpi);
        }
        if (e == null) {
            return false;
        }
        e.sa().wipe();
        return true;
    }

    public synchronized int size() {
        return bySpi.size();
    }

    public synchronized List<IkeSaView> list() {
        List<IkeSaView> out = new ArrayList<>();
        for (Entry e : bySpi.values()) {
            out.add(view(e.sa(), e.owner()));
        }
        out.sort(Comparator.comparing(IkeSaView::initiatorSpi));
        return out;
    }

    public Optional<IkeSaView> show(long initiatorSpi) {
        return entry(initiatorSpi).map(e -> view(e.sa(), e.owner()));
    }

    @Override
    public Object handleIke(String command, Map<String, String> arguments) throws ControlException {
        Map<String, String> args = arguments == null ? Map.of() : arguments;
        switch (command) {
            case "ike-import" -> {
                String json = args.get("json");
                if (json == null || json.isBlank()) {
                    throw new ControlException("ike-import needs the argument json (a cxt-ike-sa/1 document)");
                }
                try {
                    return importJson(json, args.getOrDefault("mn", ""));
                } catch (IkeContextFormatException e) {
                    throw new ControlException("ike-import: " + e.getMessage());
                } catch (IllegalArgumentException e) {
                    throw new ControlException("ike-import: invalid IKE SA: " + e.getMessage());
                }
            }
            case "ike-list" -> {
                return list();
            }
            case "ike-show" -> {
                long spi = spiArgument(command, args);
                return show(spi).orElseThrow(() -> new ControlException("no IKE SA with initiator SPI " + hex64(spi)));
            }
            case "ike-remove" -> {
                long spi = spiArgument(command, args);
                if (!remove(spi)) {
                    throw new ControlException("no IKE SA with initiator SPI " + hex64(spi));
                }
                return new OperationResult(true, "removed IKE SA " + hex64(spi), Map.of("initiatorSpi", hex64(spi)));
            }
            default -> throw new ControlException("unknown IKE command: " + command);
        }
    }

    private static long spiArgument(String command, Map<String, String> args) throws ControlException {
        String s = args.get("spi");
        if (s == null || s.isBlank()) {
            throw new ControlException(command + " needs the argument spi (initiator SPI, hex)");
        }
        String h = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        if (h.isEmpty() || h.length() > 16) {
            throw new ControlException("spi must be 1-16 hex digits: " + s);
        }
        try {
            return Long.parseUnsignedLong(h, 16);
        } catch (NumberFormatException e) {
            throw new ControlException("spi must be hex: " + s);
        }
    }

    /** The display form of an SA: no key, no SKEYSEED, no PSK. */
    public static IkeSaView view(IkeSaContext sa, String owner) {
        List<String> children = new ArrayList<>();
        for (ChildSa c : sa.childSas()) {
            children.add(String.format("%s in 0x%08x out 0x%08x", c.protocol().name().toLowerCase(), c.inboundSpi(),
                    c.outboundSpi()));
        }
        PadEntry p = sa.peer();
        String id = p.identityType().isText() ? new String(p.identity(), java.nio.charset.StandardCharsets.US_ASCII)
                : identityText(p);
        return new IkeSaView(hex64(sa.initiatorSpi()), hex64(sa.responderSpi()),
                sa.originalInitiator() ? "initiator" : "responder", proposal(sa.algorithms()),
                p.identityType() + " " + id, sa.messageIds().nextRequestToSend() + " / " + sa.messageIds().nextRequestExpected(),
                children, owner == null ? "" : owner);
    }

    private static String identityText(PadEntry p) {
        byte[] b = p.identity();
        if (b.length == 4 || b.length == 16) {
            try {
                return io.cxt.xfrm.AddressText.of(java.net.InetAddress.getByAddress(b));
            } catch (java.net.UnknownHostException e) {
                // not reached for 4 or 16 octets
            }
        }
        return java.util.HexFormat.of().formatHex(b);
    }

    /** strongSwan-style proposal text, e.g. "aes256-sha256-prfsha256-ecp256" or "aes128gcm16-prfsha512-curve25519". */
    static String proposal(IkeAlgorithms a) {
        StringBuilder sb = new StringBuilder("aes").append(a.encryptionKeyBits());
        if (a.encryption().isAead()) {
            sb.append("gcm16");
        } else {
            sb.append(a.integrity() == IntegrityAlgorithm.HMAC_SHA2_256_128 ? "-sha256" : "-sha512");
        }
        sb.append(a.prf().name().endsWith("256") ? "-prfsha256" : "-prfsha512");
        sb.append('-').append(switch (a.dhGroup()) {
            case 14 -> "modp2048";
            case 15 -> "modp3072";
            case 16 -> "modp4096";
            case 19 -> "ecp256";
            case 20 -> "ecp384";
            case 21 -> "ecp521";
            case 31 -> "curve25519";
            case 32 -> "curve448";
            default -> "dh" + a.dhGroup();
        });
        return sb.toString();
    }

    static String hex64(long spi) {
        return String.format("%016x", spi);
    }
}
