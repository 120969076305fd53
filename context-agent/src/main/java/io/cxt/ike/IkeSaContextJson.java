package io.cxt.ike;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.KeyBytes;

/**
 * Reads and writes the JSON import format of an IKE SA context (docs/ike.md), which is how the
 * mobile node's and the access routers' agents are given the same IKE SA ({@code cxctl ike import
 * FILE}) until cxt negotiates IKE itself. Keys and other octet strings are hex; SPIs are hex with an
 * optional 0x; transform IDs are the IKEv2 numbers. Unknown or duplicate fields are errors, so that
 * a typo cannot silently drop a setting. The writer can redact secrets, which prints
 * {@value #REDACTED} in their place; such a file cannot be imported.
 */
public final class IkeSaContextJson {
    public static final String FORMAT = "cxt-ike-sa/1";
    public static final String REDACTED = "<redacted>";

    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern HEX_DIGITS = Pattern.compile("[0-9a-fA-F]*");
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private IkeSaContextJson() {
    }

    public static IkeSaContext read(Path file) throws IOException, IkeContextFormatException {
        return read(Files.readString(file, StandardCharsets.UTF_8));
    }

    public static IkeSaContext read(String json) throws IkeContextFormatException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            // Only the position: Jackson's text may quote the offending token, which could be a key.
            JsonLocation loc = e.getLocation();
            throw new IkeContextFormatException("not valid JSON" + (loc == null ? ""
                    : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr()));
        }
        if (root == null || root.isMissingNode()) {
            throw new IkeContextFormatException("the file is empty");
        }
        try {
            return readContext(new Obj(root, "$", "format", "initiatorSpi", "responderSpi", "originalInitiator",
                    "algorithms", "keys", "keySeed", "messageIds", "lifetime", "peer", "childSas"));
        } catch (IllegalArgumentException e) {
            throw new IkeContextFormatException(e.getMessage());
        }
    }

    private static IkeSaContext readContext(Obj o) throws IkeContextFormatException {
        String format = o.text("format");
        if (!FORMAT.equals(format)) {
            throw new IkeContextFormatException("$.format is \"" + format + "\", expected \"" + FORMAT + "\"");
        }
        long spiI = o.spi("initiatorSpi", 8);
        long spiR = o.spi("responderSpi", 8);
        boolean originalInitiator = o.bool("originalInitiator");
        IkeAlgorithms alg = readAlgorithms(o.obj("algorithms", "encryption", "encryptionKeyBits", "integrity", "prf",
                "dhGroup"));
        Optional<SkeySeed> seed = o.has("keySeed")
                ? Optional.of(readSeed(o.obj("keySeed", "skeyseed", "ni", "nr", "initiatorSpi", "responderSpi"), spiI,
                        spiR))
                : Optional.empty();
        IkeKeys keys;
        if (o.has("keys")) {
            Obj k = o.obj("keys", "skD", "skAi", "skAr", "skEi", "skEr", "skPi", "skPr");
            keys = new IkeKeys(k.key("skD"), k.key("skAi"), k.key("skAr"), k.key("skEi"), k.key("skEr"),
                    k.key("skPi"), k.key("skPr"));
            try {
                keys.checkLengths(alg);
            } catch (IllegalArgumentException e) {
                throw new IkeContextFormatException(k.path + ": " + e.getMessage());
            }
            if (seed.isPresent()) {
                IkeKeys derived = seed.get().deriveKeys(alg);
                boolean same = derived.equals(keys);
                derived.wipe();
                if (!same) {
                    throw new IkeContextFormatException("$.keys do not match prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) of "
                            + "$.keySeed: the seed, the nonces, the SPIs or the PRF differ from what made the keys");
                }
            }
        } else if (seed.isPresent()) {
            keys = seed.get().deriveKeys(alg);
        } else {
            throw new IkeContextFormatException("$ needs \"keys\", \"keySeed\" or both");
        }
        Obj ids = o.obj("messageIds", "nextRequestToSend", "nextRequestExpected");
        IkeMessageIds messageIds = new IkeMessageIds(ids.number("nextRequestToSend", 0, 0xffffffffL),
                ids.number("nextRequestExpected", 0, 0xffffffffL));
        Obj lt = o.obj("lifetime", "establishedEpochSeconds", "rekeyAfterSeconds", "deleteAfterSeconds");
        IkeLifetime lifetime = new IkeLifetime(lt.number("establishedEpochSeconds", 0, Long.MAX_VALUE),
                lt.number("rekeyAfterSeconds", 0, Long.MAX_VALUE), lt.number("deleteAfterSeconds", 0, Long.MAX_VALUE));
        PadEntry peer = readPeer(o.obj("peer", "identity", "authMethod", "psk", "certificate"));
        List<ChildSa> children = new ArrayList<>();
        int i = 0;
        for (JsonNode n : o.array("childSas")) {
            Obj c = new Obj(n, o.path + ".childSas[" + i++ + "]", "protocol", "inboundSpi", "outboundSpi");
            ProtocolId p = c.enumValue("protocol", ProtocolId.class);
            if (!p.isChildSaProtocol()) {
                throw new IkeContextFormatException(c.path + ".protocol must be AH or ESP");
            }
            children.add(new ChildSa(p, c.spi("inboundSpi", 4), c.spi("outboundSpi", 4)));
        }
        return new IkeSaContext(spiI, spiR, originalInitiator, alg, keys, seed, messageIds, lifetime, peer, children);
    }

    private static IkeAlgorithms readAlgorithms(Obj a) throws IkeContextFormatException {
        try {
            return new IkeAlgorithms(EncryptionAlgorithm.fromTransformId((int) a.number("encryption", 0, 0xffff)),
                    (int) a.number("encryptionKeyBits", 0, 0xffff),
                    IntegrityAlgorithm.fromTransformId((int) a.number("integrity", 0, 0xffff)),
                    PrfAlgorithm.fromTransformId((int) a.number("prf", 0, 0xffff)),
                    (int) a.number("dhGroup", 0, 0xffff));
        } catch (IllegalArgumentException e) {
            throw new IkeContextFormatException(a.path + ": " + e.getMessage());
        }
    }

    private static SkeySeed readSeed(Obj s, long spiI, long spiR) throws IkeContextFormatException {
        KeyBytes skeyseed = s.key("skeyseed");
        if (skeyseed.length() == 0) {
            throw new IkeContextFormatException(s.path + ".skeyseed must not be empty");
        }
        try {
            return new SkeySeed(skeyseed, s.octets("ni"), s.octets("nr"),
                    s.has("initiatorSpi") ? s.spi("initiatorSpi", 8) : spiI,
                    s.has("responderSpi") ? s.spi("responderSpi", 8) : spiR);
        } catch (IllegalArgumentException e) {
            throw new IkeContextFormatException(s.path + ": " + e.getMessage());
        }
    }

    private static PadEntry readPeer(Obj p) throws IkeContextFormatException {
        Obj id = p.obj("identity", "type", "value");
        IdentityType type = id.enumValue("type", IdentityType.class);
        byte[] value = identityValue(type, id.text("value"), id.path + ".value");
        AuthMethod method = p.enumValue("authMethod", AuthMethod.class);
        PeerCredential credential;
        if (p.has("psk") == p.has("certificate")) {
            throw new IkeContextFormatException(p.path + " needs exactly one of \"psk\" and \"certificate\"");
        } else if (p.has("psk")) {
            KeyBytes psk = p.key("psk");
            if (psk.length() == 0) {
                throw new IkeContextFormatException(p.path + ".psk must not be empty");
            }
            credential = new PeerCredential.PreSharedKey(psk);
        } else {
            credential = new PeerCredential.Certificate(p.octets("certificate"));
        }
        try {
            return new PadEntry(type, value, method, credential);
        } catch (IllegalArgumentException e) {
            throw new IkeContextFormatException(p.path + ": " + e.getMessage());
        }
    }

    private static byte[] identityValue(IdentityType type, String text, String path) throws IkeContextFormatException {
        switch (type) {
            case ID_FQDN, ID_RFC822_ADDR -> {
                if (text.isEmpty() || !text.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                    throw new IkeContextFormatException(path + " must be printable ASCII without spaces");
                }
                return text.getBytes(StandardCharsets.US_ASCII);
            }
            case ID_IPV4_ADDR -> {
                InetAddress a = AddressText.parseOrNull(text);
                if (!(a instanceof Inet4Address)) {
                    throw new IkeContextFormatException(path + " is not a dotted-quad IPv4 address: " + text);
                }
                return a.getAddress();
            }
            case ID_IPV6_ADDR -> {
                // A literal only (AddressText never looks a name up); ::ffff:a.b.c.d stays 16 octets.
                InetAddress a = AddressText.parseOrNull(text);
                if (!(a instanceof Inet6Address)) {
                    throw new IkeContextFormatException(path + " is not an IPv6 address: " + text);
                }
                return a.getAddress();
            }
            default -> {
                return parseHex(text, path);
            }
        }
    }

    private static String identityText(IdentityType type, byte[] value) {
        switch (type) {
            case ID_FQDN, ID_RFC822_ADDR -> {
                return new String(value, StandardCharsets.US_ASCII);
            }
            case ID_IPV4_ADDR -> {
                return (value[0] & 0xff) + "." + (value[1] & 0xff) + "." + (value[2] & 0xff) + "." + (value[3] & 0xff);
            }
            case ID_IPV6_ADDR -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 16; i += 2) {
                    sb.append(i == 0 ? "" : ":").append(Integer.toHexString((value[i] & 0xff) << 8 | (value[i + 1] & 0xff)));
                }
                return sb.toString();
            }
            default -> {
                return HEX.formatHex(value);
            }
        }
    }

    /** The context as JSON; with {@code redactSecrets} every key, SKEYSEED and PSK prints as {@value #REDACTED}. */
    public static String write(IkeSaContext sa, boolean redactSecrets) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("initiatorSpi", Octets.spi64(sa.initiatorSpi()));
        root.put("responderSpi", Octets.spi64(sa.responderSpi()));
        root.put("originalInitiator", sa.originalInitiator());
        IkeAlgorithms alg = sa.algorithms();
        ObjectNode a = root.putObject("algorithms");
        a.put("encryption", alg.encryption().transformId());
        a.put("encryptionKeyBits", alg.encryptionKeyBits());
        a.put("integrity", alg.integrity().transformId());
        a.put("prf", alg.prf().transformId());
        a.put("dhGroup", alg.dhGroup());
        IkeKeys k = sa.keys();
        ObjectNode keys = root.putObject("keys");
        keys.put("skD", secret(k.skD(), redactSecrets));
        keys.put("skAi", secret(k.skAi(), redactSecrets));
        keys.put("skAr", secret(k.skAr(), redactSecrets));
        keys.put("skEi", secret(k.skEi(), redactSecrets));
        keys.put("skEr", secret(k.skEr(), redactSecrets));
        keys.put("skPi", secret(k.skPi(), redactSecrets));
        keys.put("skPr", secret(k.skPr(), redactSecrets));
        sa.keySeed().ifPresent(s -> {
            ObjectNode n = root.putObject("keySeed");
            n.put("skeyseed", secret(s.skeyseed(), redactSecrets));
            n.put("ni", HEX.formatHex(s.ni()));
            n.put("nr", HEX.formatHex(s.nr()));
            n.put("initiatorSpi", Octets.spi64(s.initiatorSpi()));
            n.put("responderSpi", Octets.spi64(s.responderSpi()));
        });
        ObjectNode ids = root.putObject("messageIds");
        ids.put("nextRequestToSend", sa.messageIds().nextRequestToSend());
        ids.put("nextRequestExpected", sa.messageIds().nextRequestExpected());
        ObjectNode lt = root.putObject("lifetime");
        lt.put("establishedEpochSeconds", sa.lifetime().establishedEpochSeconds());
        lt.put("rekeyAfterSeconds", sa.lifetime().rekeyAfterSeconds());
        lt.put("deleteAfterSeconds", sa.lifetime().deleteAfterSeconds());
        PadEntry pad = sa.peer();
        ObjectNode peer = root.putObject("peer");
        ObjectNode id = peer.putObject("identity");
        id.put("type", pad.identityType().name());
        id.put("value", identityText(pad.identityType(), pad.identity()));
        peer.put("authMethod", pad.authMethod().name());
        if (pad.credential() instanceof PeerCredential.PreSharedKey psk) {
            peer.put("psk", secret(psk.key(), redactSecrets));
        } else if (pad.credential() instanceof PeerCredential.Certificate cert) {
            peer.put("certificate", HEX.formatHex(cert.der()));
        }
        ArrayNode children = root.putArray("childSas");
        for (ChildSa c : sa.childSas()) {
            ObjectNode n = children.addObject();
            n.put("protocol", c.protocol().name());
            n.put("inboundSpi", Octets.spi32(c.inboundSpi()));
            n.put("outboundSpi", Octets.spi32(c.outboundSpi()));
        }
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    private static String secret(KeyBytes k, boolean redact) {
        if (k.length() == 0) {
            return "";
        }
        if (redact) {
            return REDACTED;
        }
        byte[] b = k.bytes();
        try {
            return HEX.formatHex(b);
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    private static byte[] parseHex(String text, String path) throws IkeContextFormatException {
        String h = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        if (h.length() % 2 != 0 || !HEX_DIGITS.matcher(h).matches()) {
            throw new IkeContextFormatException(path + " is not an even number of hex digits");
        }
        return HEX.parseHex(h);
    }

    /** A JSON object being read, with its path for messages; rejects fields it does not know. */
    private static final class Obj {
        final JsonNode node;
        final String path;

        Obj(JsonNode node, String path, String... fields) throws IkeContextFormatException {
            if (node == null || !node.isObject()) {
                throw new IkeContextFormatException(path + " must be a JSON object");
            }
            this.node = node;
            this.path = path;
            Set<String> allowed = new LinkedHashSet<>(List.of(fields));
            for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
                String f = it.next();
                if (!allowed.contains(f)) {
                    throw new IkeContextFormatException(path + " has unknown field \"" + f + "\" (known: "
                            + String.join(", ", allowed) + ")");
                }
            }
        }

        boolean has(String field) {
            return node.has(field) && !node.get(field).isNull();
        }

        JsonNode required(String field) throws IkeContextFormatException {
            if (!has(field)) {
                throw new IkeContextFormatException(path + "." + field + " is missing");
            }
            return node.get(field);
        }

        String text(String field) throws IkeContextFormatException {
            JsonNode n = required(field);
            if (!n.isTextual()) {
                throw new IkeContextFormatException(path + "." + field + " must be a string");
            }
            return n.asText();
        }

        boolean bool(String field) throws IkeContextFormatException {
            JsonNode n = required(field);
            if (!n.isBoolean()) {
                throw new IkeContextFormatException(path + "." + field + " must be true or false");
            }
            return n.asBoolean();
        }

        long number(String field, long min, long max) throws IkeContextFormatException {
            JsonNode n = required(field);
            if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
                throw new IkeContextFormatException(path + "." + field + " must be an integer in " + min + "-" + max);
            }
            return n.asLong();
        }

        Obj obj(String field, String... fields) throws IkeContextFormatException {
            return new Obj(required(field), path + "." + field, fields);
        }

        Iterable<JsonNode> array(String field) throws IkeContextFormatException {
            JsonNode n = required(field);
            if (!n.isArray()) {
                throw new IkeContextFormatException(path + "." + field + " must be an array");
            }
            return n;
        }

        <E extends Enum<E>> E enumValue(String field, Class<E> type) throws IkeContextFormatException {
            String v = text(field);
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(v)) {
                    return e;
                }
            }
            List<String> names = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                names.add(e.name());
            }
            throw new IkeContextFormatException(path + "." + field + " is \"" + v + "\", expected one of " + names);
        }

        long spi(String field, int size) throws IkeContextFormatException {
            String t = text(field);
            String h = t.startsWith("0x") || t.startsWith("0X") ? t.substring(2) : t;
            if (h.isEmpty() || h.length() > size * 2 || !HEX_DIGITS.matcher(h).matches()) {
                throw new IkeContextFormatException(path + "." + field + " must be a hex SPI of at most " + size
                        + " octets");
            }
            long v = Long.parseUnsignedLong(h, 16);
            if (v == 0) {
                throw new IkeContextFormatException(path + "." + field + " must not be zero");
            }
            return v;
        }

        byte[] octets(String field) throws IkeContextFormatException {
            return parseHex(text(field), path + "." + field);
        }

        KeyBytes key(String field) throws IkeContextFormatException {
            String t = text(field);
            if (REDACTED.equals(t)) {
                throw new IkeContextFormatException(path + "." + field
                        + " is redacted; export the context with its secrets to import it");
            }
            byte[] b = parseHex(t, path + "." + field);
            try {
                return KeyBytes.of(b);
            } finally {
                Arrays.fill(b, (byte) 0);
            }
        }
    }
}
