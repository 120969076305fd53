package io.cxt.ike;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cxt.xfrm.KeyBytes;

/**
 * One IKE SA recorded from strongSwan 5.9.8 by tests/lab/strongswan-capture (resource folder
 * strongswan-vectors/, README.md there): the negotiated algorithms, SPIs, the keys charon logged,
 * and every IKE datagram of the SA's life with what strongSwan said it contained.
 */
record StrongSwanVectors(String name, Map<String, String> fields, IkeAlgorithms algorithms, long initiatorSpi,
        long responderSpi, KeyBytes skeyseed, IkeKeys keys, long initiatorChildSpi, long responderChildSpi,
        List<Captured> messages) {

    static final List<String> NAMES = List.of("aes128-sha256-prfsha256-modp2048", "aes256-sha512-prfsha512-modp2048",
            "aes256gcm16-prfsha256-modp2048", "aes128-sha256-prfsha256-modp2048-udp4500");

    /**
     * One captured datagram.
     *
     * @param fromInitiator  sent by the IKE SA's original initiator
     * @param exchange       IKE_SA_INIT, IKE_AUTH or INFORMATIONAL
     * @param response       a response (R flag)
     * @param messageId      its message ID
     * @param strongswan     strongSwan's own summary, e.g. "INFORMATIONAL request 2 [ D ]"
     * @param deletes        what strongSwan logged it was deleting in it: "ESP c1234567" or "IKE"
     * @param bytes          the UDP payload (without a non-ESP marker)
     * @param udpPorts       source and destination port: 500, or 4500 after a switch to UDP encapsulation
     */
    record Captured(int index, boolean fromInitiator, String exchange, boolean response, long messageId,
            String strongswan, List<String> deletes, byte[] bytes, List<Integer> udpPorts) {
        /** Payload names strongSwan lists between the brackets of its summary. */
        List<String> strongswanPayloads() {
            String inside = strongswan.substring(strongswan.indexOf('[') + 1, strongswan.lastIndexOf(']')).strip();
            return inside.isEmpty() ? List.of() : List.of(inside.split(" "));
        }

        @Override
        public String toString() {
            return "#" + index + " " + (fromInitiator ? "initiator" : "responder") + ": " + strongswan;
        }
    }

    static StrongSwanVectors load(String name) {
        String text;
        try (InputStream in = StrongSwanVectors.class.getResourceAsStream("/strongswan-vectors/" + name + ".vectors")) {
            if (in == null) {
                throw new IllegalStateException("no vector file strongswan-vectors/" + name + ".vectors");
            }
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parse(name, text);
    }

    static StrongSwanVectors parse(String name, String text) {
        HexFormat hex = HexFormat.of();
        Map<String, String> fields = new LinkedHashMap<>();
        List<Map<String, List<String>>> blocks = new ArrayList<>();
        Map<String, List<String>> block = null;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.equals("message")) {
                block = new LinkedHashMap<>();
                blocks.add(block);
                continue;
            }
            int eq = line.indexOf(" = ");
            if (eq < 0) {
                throw new IllegalArgumentException(name + ": not a key = value line: " + line);
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 3);
            if (block == null) {
                fields.put(key, value);
            } else {
                block.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
        }
        IkeAlgorithms alg = algorithms(fields.get("selected"));
        IkeKeys keys = new IkeKeys(key(fields, "sk-d"), key(fields, "sk-ai"), key(fields, "sk-ar"),
                key(fields, "sk-ei"), key(fields, "sk-er"), key(fields, "sk-pi"), key(fields, "sk-pr"));
        List<Captured> messages = new ArrayList<>();
        for (Map<String, List<String>> b : blocks) {
            messages.add(new Captured(messages.size(), one(b, "sender").equals("initiator"), one(b, "exchange"),
                    one(b, "kind").equals("response"), Long.parseLong(one(b, "message-id")), one(b, "strongswan"),
                    b.getOrDefault("delete", List.of()), hex.parseHex(one(b, "hex")),
                    List.of(port(one(b, "from")), port(one(b, "to")))));
        }
        return new StrongSwanVectors(name, fields, alg, Long.parseUnsignedLong(fields.get("spi-i"), 16),
                Long.parseUnsignedLong(fields.get("spi-r"), 16), key(fields, "skeyseed"), keys,
                Long.parseLong(fields.get("child-esp-spi-initiator-inbound"), 16),
                Long.parseLong(fields.get("child-esp-spi-responder-inbound"), 16), messages);
    }

    private static final Pattern SELECTED = Pattern.compile(
            "IKE:AES_(CBC|GCM_16)_(\\d+)(?:/(HMAC_SHA2_256_128|HMAC_SHA2_512_256))?/(PRF_HMAC_SHA2_256|PRF_HMAC_SHA2_512)/MODP_2048");

    /** strongSwan's "selected proposal" text, e.g. IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048. */
    static IkeAlgorithms algorithms(String selected) {
        Matcher m = SELECTED.matcher(selected);
        if (!m.matches()) {
            throw new IllegalArgumentException("unexpected strongSwan proposal " + selected);
        }
        EncryptionAlgorithm enc = m.group(1).equals("CBC") ? EncryptionAlgorithm.AES_CBC : EncryptionAlgorithm.AES_GCM_16;
        IntegrityAlgorithm integrity = m.group(3) == null ? IntegrityAlgorithm.NONE : IntegrityAlgorithm.valueOf(m.group(3));
        return new IkeAlgorithms(enc, Integer.parseInt(m.group(2)), integrity, PrfAlgorithm.valueOf(m.group(4)), 14);
    }

    private static int port(String addressAndPort) {
        return Integer.parseInt(addressAndPort.substring(addressAndPort.lastIndexOf(' ') + 1));
    }

    private static KeyBytes key(Map<String, String> fields, String name) {
        String v = fields.get(name);
        if (v == null) {
            throw new IllegalArgumentException("vector file lacks " + name);
        }
        return KeyBytes.of(HexFormat.of().parseHex(v));
    }

    private static String one(Map<String, List<String>> block, String key) {
        List<String> v = block.get(key);
        if (v == null || v.size() != 1) {
            throw new IllegalArgumentException("message block needs exactly one " + key + ": " + block.keySet());
        }
        return v.get(0);
    }

    /** The Nonce payload data (type 40) of the IKE_SA_INIT request (true) or response (false). */
    byte[] nonce(boolean ofInitiator) throws IkeDecodeException {
        Captured init = messages.stream().filter(c -> c.exchange().equals("IKE_SA_INIT") && c.fromInitiator() == ofInitiator)
                .findFirst().orElseThrow();
        Optional<IkePayload> nonce = IkeMessage.decode(init.bytes()).payloads().stream()
                .filter(p -> p.type() == NONCE).findFirst();
        return ((OpaquePayload) nonce.orElseThrow()).body();
    }

    static final int NONCE = 40;

    /** The protector that opens what the initiator (true) or responder (false) sent. */
    SkProtector protectorFor(boolean fromInitiator) {
        return SkProtector.of(algorithms, keys.encryptionKey(fromInitiator), keys.integrityKey(fromInitiator), null);
    }

    /**
     * The IKE SA as one end holds it after IKE_AUTH, with the given message ID counters: what cxt
     * would import to carry on strongSwan's IKE SA.
     */
    IkeSaContext context(boolean originalInitiator, IkeMessageIds ids) {
        PadEntry peer = new PadEntry(IdentityType.ID_RFC822_ADDR,
                (originalInitiator ? "responder@cxt.test" : "initiator@cxt.test").getBytes(StandardCharsets.US_ASCII),
                AuthMethod.SHARED_KEY_MIC, new PeerCredential.PreSharedKey(
                        KeyBytes.of("cxt strongSwan interop lab secret".getBytes(StandardCharsets.US_ASCII))));
        ChildSa child = originalInitiator ? new ChildSa(ProtocolId.ESP, initiatorChildSpi, responderChildSpi)
                : new ChildSa(ProtocolId.ESP, responderChildSpi, initiatorChildSpi);
        return new IkeSaContext(initiatorSpi, responderSpi, originalInitiator, algorithms, keys, Optional.empty(), ids,
                new IkeLifetime(0, 0, 0), peer, List.of(child));
    }

    @Override
    public String toString() {
        return name;
    }
}
