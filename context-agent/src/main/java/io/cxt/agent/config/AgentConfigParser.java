package io.cxt.agent.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;

import io.cxt.agent.settings.IpPrefix;
import io.cxt.agent.settings.MobileTransport;
import io.cxt.agent.settings.PeerTransport;
import io.cxt.context.SadLookupCase;
import io.cxt.xfrm.KeyBytes;

/**
 * Reads and validates cxagent's TOML configuration (docs/agent.md). Every problem is reported as
 * one {@link ConfigException} naming the file, the line where it can tell, and the key. Unknown
 * tables and keys are errors (a typo must not silently fall back to a default).
 *
 * <p>Line numbers of keys are found by a light scan of the text (table headers and {@code key =}
 * lines), because Jackson's tree model keeps no positions; for TOML syntax errors Jackson's own
 * position is used.
 *
 * <p>Key files ({@code key-file}, {@code token-key-file}) hold the key as hex (an optional 0x,
 * whitespace and {@code #} comment lines allowed); relative paths are resolved against the
 * configuration file's directory. A key file readable by group or others is accepted with a
 * warning in {@link AgentConfig#warnings()}.
 *
 * <p><b>Size.</b> Over 600 lines because it parses the whole file with line numbers for every table and key, so that every error names file, line, table and key the same way; its Table helper and the per-table methods share that bookkeeping.
 */
public final class AgentConfigParser {

    /** Router-channel keys (AES-256-GCM) are exactly this long. */
    public static final int PEER_KEY_OCTETS = 32;
    /** Token keys (HMAC-SHA1, RFC 4067 2.5.1): 20 octets usual; this range accepted. */
    public static final int TOKEN_KEY_MIN_OCTETS = 16;
    public static final int TOKEN_KEY_MAX_OCTETS = 64;

    private static final Set<String> TABLES = Set.of("agent", "router", "peer", "mobile-node", "mobile", "ike", "timers", "charon-ha");
    private static final Set<String> LOG_LEVELS = Set.of("error", "warn", "info", "debug", "trace");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h)");

    private AgentConfigParser() {
    }

    /** Reads the file; key files are resolved relative to its directory. */
    public static AgentConfig parse(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), 0, "", "no such file");
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, "", "cannot read: " + e.getMessage());
        }
        Path dir = file.toAbsolutePath().getParent();
        return new Run(text, file.toString(), dir == null ? Path.of(".") : dir, file).parse();
    }

    /** Parses text; relative key files are resolved against the working directory. */
    public static AgentConfig parse(String text, String sourceName) throws ConfigException {
        return parse(text, sourceName, Path.of(""));
    }

    /** Parses text; relative key files are resolved against {@code baseDirectory}. */
    public static AgentConfig parse(String text, String sourceName, Path baseDirectory) throws ConfigException {
        return new Run(text, sourceName, baseDirectory).parse();
    }

    /** Parses a duration as the configuration writes it: "200ms", "2s", "5m", "1h". */
    public static Duration parseDuration(String s) {
        Matcher m = DURATION.matcher(s.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: '" + s + "' (expected a number with unit ms, s, m or h,"
                    + " e.g. \"200ms\" or \"30s\")");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** One parse: the text, its line index and the warnings found on the way. */
    private static final class Run {
        private final String text;
        private final String source;
        private final Path base;
        private final LineIndex lines;
        private final List<String> warnings = new ArrayList<>();
        /** The file the text came from (null for text), checked for permissions when it holds a key. */
        private final Path configFile;
        private boolean inlineKey;

        Run(String text, String source, Path base) {
            this(text, source, base, null);
        }

        Run(String text, String source, Path base, Path configFile) {
            this.configFile = configFile;
            this.text = text;
            this.source = source;
            this.base = base;
            this.lines = new LineIndex(text);
        }

        AgentConfig parse() throws ConfigException {
            JsonNode root;
            try {
                root = new TomlMapper().readTree(text);
            } catch (JacksonException e) {
                JsonLocation loc = e.getLocation();
                int line = loc == null ? 0 : Math.max(0, loc.getLineNr());
                throw new ConfigException(source, line, "", "TOML syntax error: " + e.getOriginalMessage());
            }
            if (root == null || root.isMissingNode() || root.isNull()) {
                root = new TomlMapper().createObjectNode();
            }
            if (!(root instanceof ObjectNode top)) {
                throw new ConfigException(source, 0, "", "not a TOML document");
            }
            // top level: only the known tables
            for (Iterator<Map.Entry<String, JsonNode>> it = top.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String k = e.getKey();
                if (!TABLES.contains(k)) {
                    String what = e.getValue().isObject() || e.getValue().isArray() && !e.getValue().isEmpty()
                            && e.getValue().get(0).isObject() ? "unknown table" : "unknown key";
                    throw new ConfigException(source, lines.topLevel(k), what.equals("unknown table") ? "[" + k + "]" : k,
                            what + " (known tables: [agent], [router], [[peer]], [[mobile-node]], [mobile], [ike], [timers], [charon-ha])");
                }
            }
            Table agentTable = table(top, "agent", true);
            AgentSection agent = agentSection(agentTable);
            AgentRole role = agent.role();

            Optional<RouterSection> router = Optional.empty();
            List<PeerSection> peers = List.of();
            List<MobileNodeKey> mns = List.of();
            Optional<MobileSection> mobile = Optional.empty();
            if (role == AgentRole.ACCESS_ROUTER) {
                forbid(top, "mobile", role);
                Table r = table(top, "router", false);
                if (r == null) {
                    throw new ConfigException(source, 0, "[router]", "required for role access-router");
                }
                RouterSection rs = routerSection(r);
                router = Optional.of(rs);
                peers = peers(top, rs);
                mns = mobileNodes(top, rs);
            } else {
                forbid(top, "router", role);
                forbid(top, "peer", role);
                forbid(top, "mobile-node", role);
                Table m = table(top, "mobile", false);
                if (m == null) {
                    throw new ConfigException(source, 0, "[mobile]", "required for role mobile-node");
                }
                mobile = Optional.of(mobileSection(m));
                forbid(top, "charon-ha", role);
            }
            Table ikeTable = table(top, "ike", false);
            IkeSection ike = ikeTable == null ? IkeSection.DEFAULT : ikeSection(ikeTable);
            Table timerTable = table(top, "timers", false);
            TimerSection timers = timerTable == null ? TimerSection.DEFAULT : timerSection(timerTable);
            Table haTable = table(top, "charon-ha", false);
            Optional<CharonHaSection> charonHa = haTable == null ? Optional.empty() : Optional.of(charonHaSection(haTable));
            if (inlineKey && configFile != null) {
                warnIfReadableByOthers();
            }
            return new AgentConfig(source, agent, router, peers, mns, mobile, ike, timers, warnings, charonHa);
        }

        private CharonHaSection charonHaSection(Table t) throws ConfigException {
            t.allow("local", "charon", "port", "fifo", "segment", "charon-binary", "max-sas", "log-interval",
                    "roam-trigger-address", "resync-on-start", "response-tap");
            InetAddress local = loopback(t, "local", "127.0.0.2");
            InetAddress charon = loopback(t, "charon", "127.0.0.1");
            if (local.equals(charon)) {
                throw t.error("local", "must differ from charon (" + charon.getHostAddress() + "): each side binds port 4510");
            }
            int port = t.port("port", 4510);
            Path fifo = t.absolutePath("fifo", CharonHaSection.DEFAULT_FIFO);
            int segment = t.integer("segment", 1L, 1, 16).intValue();
            Path binary = t.absolutePath("charon-binary", CharonHaSection.DEFAULT_CHARON);
            int maxSas = t.integer("max-sas", 65536L, 1, 1L << 20).intValue();
            Duration interval = t.duration("log-interval", Duration.ofSeconds(10));
            InetAddress trigger = null;
            String triggerText = t.string("roam-trigger-address", null);
            if (triggerText != null) {
                try {
                    trigger = literal(triggerText);
                } catch (IllegalArgumentException e) {
                    trigger = null;
                }
                if (trigger == null || trigger.isLoopbackAddress() || trigger.isLinkLocalAddress() || trigger.isMulticastAddress()
                        || trigger.isAnyLocalAddress()) {
                    throw t.error("roam-trigger-address", "not a unicast address of this router's own: '" + triggerText
                            + "' (an address nobody else uses; cxagent adds it to lo and removes it after each activation)");
                }
            }
            return new CharonHaSection(local, charon, port, fifo, segment, binary, maxSas, interval, trigger,
                    t.bool("resync-on-start", true), t.bool("response-tap", true));
        }

        /** The HA protocol has no MAC: its addresses must be loopback, so it never leaves the host. */
        private InetAddress loopback(Table t, String key, String dflt) throws ConfigException {
            String s = t.string(key, dflt);
            InetAddress a;
            try {
                a = literal(s);
            } catch (IllegalArgumentException e) {
                a = null;
            }
            if (a == null) {
                throw t.error(key, "not an IP address: '" + s + "'");
            }
            if (!a.isLoopbackAddress()) {
                throw t.error(key, "must be a loopback address (the HA channel carries key material without protection; got "
                        + a.getHostAddress() + ")");
            }
            return a;
        }

        private void forbid(ObjectNode top, String name, AgentRole role) throws ConfigException {
            if (top.has(name)) {
                String label = name.equals("peer") || name.equals("mobile-node") ? "[[" + name + "]]" : "[" + name + "]";
                throw new ConfigException(source, lines.table(name, 0), label, "not allowed for role " + role.spelling());
            }
        }

        private Table table(ObjectNode top, String name, boolean required) throws ConfigException {
            JsonNode n = top.get(name);
            if (n == null) {
                if (required) {
                    throw new ConfigException(source, 0, "[" + name + "]", "required table is missing");
                }
                return null;
            }
            if (!n.isObject()) {
                throw new ConfigException(source, lines.topLevel(name), "[" + name + "]", "must be a table");
            }
            return new Table((ObjectNode) n, "[" + name + "]", name, 0);
        }

        private List<Table> arrayOfTables(ObjectNode top, String name) throws ConfigException {
            JsonNode n = top.get(name);
            List<Table> out = new ArrayList<>();
            if (n == null) {
                return out;
            }
            if (!n.isArray()) {
                throw new ConfigException(source, lines.topLevel(name), "[[" + name + "]]",
                        "must be an array of tables (write [[" + name + "]], not [" + name + "])");
            }
            int i = 0;
            for (JsonNode e : (ArrayNode) n) {
                if (!e.isObject()) {
                    throw new ConfigException(source, lines.topLevel(name), "[[" + name + "]]", "entries must be tables");
                }
                out.add(new Table((ObjectNode) e, "[[" + name + "]] #" + (i + 1), name, i));
                i++;
            }
            return out;
        }

        // ----- sections

        private AgentSection agentSection(Table t) throws ConfigException {
            t.allow("role", "name", "control-socket", "control-group", "state-directory", "log-level", "metrics-listen",
                    "realtime-priority");
            String roleText = t.string("role", null);
            if (roleText == null) {
                throw t.error("role", "required (access-router or mobile-node)");
            }
            AgentRole role;
            try {
                role = AgentRole.parse(roleText);
            } catch (IllegalArgumentException e) {
                throw t.error("role", e.getMessage());
            }
            String name = t.string("name", null);
            if (name == null || name.isBlank()) {
                throw t.error("name", "required (how logs, status and peers call this agent)");
            }
            Path socket = t.absolutePath("control-socket", AgentSection.DEFAULT_CONTROL_SOCKET);
            String group = t.string("control-group", null);
            if (group != null && !group.matches("[A-Za-z_][A-Za-z0-9_.-]*\\$?")) {
                throw t.error("control-group", "not a group name: '" + group + "'");
            }
            Path state = t.absolutePath("state-directory", AgentSection.DEFAULT_STATE_DIRECTORY);
            String level = t.string("log-level", AgentSection.DEFAULT_LOG_LEVEL).toLowerCase(Locale.ROOT);
            if (!LOG_LEVELS.contains(level)) {
                throw t.error("log-level", "unknown level '" + level + "' (expected error, warn, info, debug or trace)");
            }
            String metrics = t.string("metrics-listen", null);
            Optional<java.net.InetSocketAddress> metricsListen = Optional.empty();
            if (metrics != null) {
                metricsListen = Optional.of(listenAddress(metrics, t, "metrics-listen"));
            }
            int realtime = t.integer("realtime-priority", 0L, 0, 99).intValue(); // SCHED_FIFO priority; 0 = off
            return new AgentSection(role, name, socket, Optional.ofNullable(group), state, level, metricsListen,
                    realtime);
        }

        /** "ADDRESS:PORT" or "[IPV6]:PORT", address literals only, port 1..65535. */
        private static java.net.InetSocketAddress listenAddress(String text, Table t, String key) throws ConfigException {
            String expected = "expected ADDRESS:PORT, e.g. \"127.0.0.1:9464\" or \"[::1]:9464\", not '" + text + "'";
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw t.error(key, expected);
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw t.error(key, expected + " (an IPv6 address goes in brackets)");
            }
            InetAddress a = literal(host);
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (a == null || port < 1 || port > 0xffff) {
                throw t.error(key, expected);
            }
            return new java.net.InetSocketAddress(a, port);
        }

        private RouterSection routerSection(Table t) throws ConfigException {
            t.allow("address", "cxtp-port", "mobile-transport", "mobile-prefix", "sender-id", "handover-timeout",
                    "ctar-rate", "sequence-margin", "sad-lookup", "spi-range", "token-key-source", "peer-mobile-prefixes",
                    "peer-marks", "peer-unknown-attributes");
            InetAddress address = t.requiredAddress("address", "access-router");
            int port = t.port("cxtp-port", RouterSection.DEFAULT_CXTP_PORT);
            MobileTransport mt = t.choice("mobile-transport", "icmp", MobileTransport::parse);
            String prefixText = t.string("mobile-prefix", null);
            if (prefixText == null) {
                throw t.error("mobile-prefix", "required for role access-router (the MN care-of prefix served here,"
                        + " e.g. \"2001:db8:1::/64\")");
            }
            IpPrefix prefix = prefix(t, "mobile-prefix", prefixText);
            if (prefix.network().getAddress().length != address.getAddress().length) {
                throw t.error("mobile-prefix", "address family differs from [router] address");
            }
            Long sender = t.integer("sender-id", null, 0, 0xFFFF_FFFFL);
            if (sender == null) {
                throw t.error("sender-id", "required for role access-router (this router's router-channel sender id)");
            }
            Duration handover = t.duration("handover-timeout", RouterSection.DEFAULT_HANDOVER_TIMEOUT);
            int rate = t.integer("ctar-rate", (long) RouterSection.DEFAULT_CTAR_RATE, 1, 1_000_000).intValue();
            long margin = t.integer("sequence-margin", RouterSection.DEFAULT_SEQUENCE_MARGIN, 0, 1L << 32);
            SadLookupCase sad = t.choice("sad-lookup", SadLookupCase.DEFAULT.spelling(), SadLookupCase::parse);
            SpiRange spis = SpiRange.DEFAULT;
            String spiText = t.string("spi-range", null);
            if (spiText != null) {
                spis = spiRange(t, spiText);
            }
            TokenKeySource tks = t.choice("token-key-source", "configured", TokenKeySource::parse);
            List<IpPrefix> allowed = new ArrayList<>();
            JsonNode list = t.take("peer-mobile-prefixes");
            if (list != null) {
                if (!list.isArray()) {
                    throw t.error("peer-mobile-prefixes", "must be a list of prefixes, e.g. [\"2001:db8:100::/48\"]");
                }
                for (JsonNode n : list) {
                    if (!n.isTextual()) {
                        throw t.error("peer-mobile-prefixes", "not a prefix: " + n);
                    }
                    allowed.add(prefix(t, "peer-mobile-prefixes", n.asText()));
                }
            }
            RouterSection.PeerAllowance allowance = new RouterSection.PeerAllowance(allowed, t.bool("peer-marks", false),
                    t.bool("peer-unknown-attributes", false));
            return new RouterSection(address, port, mt, prefix, sender.intValue(), handover, rate, margin, sad, spis, tks,
                    allowance);
        }

        private List<PeerSection> peers(ObjectNode top, RouterSection router) throws ConfigException {
            List<PeerSection> out = new ArrayList<>();
            Map<String, Table> names = new HashMap<>();
            Map<Integer, Table> ids = new HashMap<>();
            Map<String, Table> endpoints = new HashMap<>();
            for (Table t : arrayOfTables(top, "peer")) {
                t.allow("name", "address", "port", "transport", "sender-id", "key", "key-file");
                String name = t.string("name", null);
                if (name == null || name.isBlank()) {
                    throw t.error("name", "required");
                }
                InetAddress address = t.requiredAddress("address", null);
                int port = t.port("port", RouterSection.DEFAULT_CXTP_PORT);
                PeerTransport transport = t.choice("transport", "udp", PeerTransport::parse);
                Long sender = t.integer("sender-id", null, 0, 0xFFFF_FFFFL);
                if (sender == null) {
                    throw t.error("sender-id", "required (the peer's router-channel sender id)");
                }
                Optional<KeyBytes> key = key(t, "key", "key-file", PEER_KEY_OCTETS, PEER_KEY_OCTETS);
                if (key.isEmpty()) {
                    throw t.error("key", "required: key = \"<64 hex digits>\" or key-file = \"PATH\"");
                }
                Table sameName = names.putIfAbsent(name, t);
                if (sameName != null) {
                    throw t.error("name", "duplicate peer name '" + name + "' (also " + sameName.label + ")");
                }
                int id = sender.intValue();
                if (id == router.senderId()) {
                    throw t.error("sender-id", Integer.toUnsignedString(id) + " is this router's own sender id ([router] sender-id)");
                }
                Table other = ids.putIfAbsent(id, t);
                if (other != null) {
                    throw t.error("sender-id", "duplicate sender id " + Integer.toUnsignedString(id) + " (also " + other.label + ")");
                }
                String endpoint = io.cxt.xfrm.AddressText.of(address) + " port " + port;
                other = endpoints.putIfAbsent(endpoint, t);
                if (other != null) {
                    throw t.error("address", "duplicate peer " + endpoint + " (also " + other.label + ")");
                }
                out.add(new PeerSection(name, address, port, transport, id, key.get()));
            }
            return out;
        }

        private List<MobileNodeKey> mobileNodes(ObjectNode top, RouterSection router) throws ConfigException {
            List<MobileNodeKey> out = new ArrayList<>();
            Map<InetAddress, Table> seen = new HashMap<>();
            for (Table t : arrayOfTables(top, "mobile-node")) {
                t.allow("address", "token-key", "token-key-file");
                InetAddress address = t.requiredAddress("address", null);
                Optional<KeyBytes> key = key(t, "token-key", "token-key-file", TOKEN_KEY_MIN_OCTETS, TOKEN_KEY_MAX_OCTETS);
                if (router.tokenKeySource() == TokenKeySource.CONFIGURED && key.isEmpty()) {
                    throw t.error("token-key", "required: token-key = \"<hex>\" or token-key-file = \"PATH\""
                            + " (or [router] token-key-source = \"ike\")");
                }
                if (router.tokenKeySource() == TokenKeySource.IKE && key.isPresent()) {
                    throw t.error(t.has("token-key") ? "token-key" : "token-key-file",
                            "not used with [router] token-key-source = \"ike\"");
                }
                Table other = seen.putIfAbsent(address, t);
                if (other != null) {
                    throw t.error("address", "duplicate mobile node " + io.cxt.xfrm.AddressText.of(address)
                            + " (also " + other.label + ")");
                }
                out.add(new MobileNodeKey(address, key));
            }
            return out;
        }

        private MobileSection mobileSection(Table t) throws ConfigException {
            t.allow("home-address", "care-of-address", "access-router", "token-key", "token-key-file",
                    "token-key-source", "transport", "movement", "sa-owner");
            InetAddress home = t.requiredAddress("home-address", "mobile-node");
            InetAddress coa = t.requiredAddress("care-of-address", "mobile-node");
            InetAddress ar = t.requiredAddress("access-router", "mobile-node");
            TokenKeySource tks = t.choice("token-key-source", "configured", TokenKeySource::parse);
            Optional<KeyBytes> key = key(t, "token-key", "token-key-file", TOKEN_KEY_MIN_OCTETS, TOKEN_KEY_MAX_OCTETS);
            if (tks == TokenKeySource.CONFIGURED && key.isEmpty()) {
                throw t.error("token-key", "required: token-key = \"<hex>\" or token-key-file = \"PATH\""
                        + " (or token-key-source = \"ike\")");
            }
            if (tks == TokenKeySource.IKE && key.isPresent()) {
                throw t.error(t.has("token-key") ? "token-key" : "token-key-file", "not used with token-key-source = \"ike\"");
            }
            SaOwner owner = t.choice("sa-owner", "cxagent", SaOwner::parse);
            if (owner == SaOwner.CHARON && tks == TokenKeySource.IKE) {
                throw t.error("token-key-source", "\"ike\" derives the token key from an IKE SA imported into cxagent;"
                        + " with sa-owner = \"charon\" charon holds the IKE SA: configure token-key or token-key-file");
            }
            MobileTransport transport = t.choice("transport", "icmp", MobileTransport::parse);
            Optional<MovementSection> movement = Optional.empty();
            if (t.has("movement")) {
                JsonNode mv = t.take("movement");
                if (!mv.isObject()) {
                    throw t.error("movement", "must be a table ([mobile.movement])");
                }
                movement = Optional.of(movementSection(new Table((ObjectNode) mv, "[mobile.movement]", "mobile.movement", 0),
                        coa));
            }
            return new MobileSection(home, coa, ar, key, tks, transport, movement, owner);
        }

        private MovementSection movementSection(Table t, InetAddress careOf) throws ConfigException {
            t.allow("interfaces", "router", "debounce", "routers");
            JsonNode list = t.take("interfaces");
            if (list == null || !list.isArray() || list.isEmpty()) {
                throw t.error("interfaces", "required: a list of interface names, e.g. interfaces = [\"wlan0\", \"eth1\"]");
            }
            List<String> names = new ArrayList<>();
            for (JsonNode n : list) {
                if (!n.isTextual() || !n.asText().matches("[A-Za-z0-9_.:@-]{1,15}")) {
                    throw t.error("interfaces", "not an interface name: " + n);
                }
                names.add(n.asText());
            }
            String router = t.string("router", "gateway");
            if (!router.equals("gateway") && !router.equals("configured")) {
                throw t.error("router", "must be \"gateway\" or \"configured\" (got \"" + router + "\")");
            }
            Duration debounce = Duration.ofMillis(20);
            String d = t.string("debounce", null);
            if (d != null) {
                try {
                    debounce = d.equals("0") ? Duration.ZERO : parseDuration(d);
                } catch (IllegalArgumentException e) {
                    throw t.error("debounce", e.getMessage());
                }
                if (debounce.compareTo(Duration.ofSeconds(10)) > 0) {
                    throw t.error("debounce", "at most 10s (got " + d + ")");
                }
            }
            java.util.Map<String, InetAddress> byInterface = new java.util.LinkedHashMap<>();
            java.util.Map<IpPrefix, InetAddress> byPrefix = new java.util.LinkedHashMap<>();
            JsonNode routers = t.take("routers");
            if (routers != null) {
                if (!routers.isObject()) {
                    throw t.error("routers", "must be an inline table, e.g. routers = { wlan0 = \"2001:db8:b::1\","
                            + " \"2001:db8:c::/64\" = \"2001:db8:c::1\" }");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = routers.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    InetAddress a = e.getValue().isTextual() ? literal(e.getValue().asText()) : null;
                    if (a == null) {
                        throw t.error("routers", "router for '" + e.getKey() + "' is not an IP address: " + e.getValue());
                    }
                    if (a.getClass() != careOf.getClass()) {
                        throw t.error("routers", "router for '" + e.getKey() + "' is not of the care-of address's family");
                    }
                    if (e.getKey().contains("/")) {
                        byPrefix.put(prefix(t, "routers", e.getKey()), a);
                    } else if (names.contains(e.getKey())) {
                        byInterface.put(e.getKey(), a);
                    } else {
                        throw t.error("routers", "'" + e.getKey() + "' is neither a prefix nor one of the interfaces");
                    }
                }
            }
            if (router.equals("configured") && byInterface.isEmpty() && byPrefix.isEmpty()) {
                throw t.error("routers", "required with router = \"configured\"");
            }
            return new MovementSection(names, router, debounce, byInterface, byPrefix);
        }

        private IkeSection ikeSection(Table t) throws ConfigException {
            t.allow("port", "max-round-trips", "timer", "retransmit-initial", "fallback-hook");
            IkeSection d = IkeSection.DEFAULT;
            int port = t.integer("port", (long) d.port(), 1, 65535).intValue();
            if (port != 500 && port != 4500) {
                throw t.error("port", "must be 500 or 4500 (got " + port + ")");
            }
            int rounds = t.integer("max-round-trips", (long) d.maxRoundTrips(), 1, 100).intValue();
            Duration timer = t.duration("timer", d.timer());
            Duration retransmit = t.duration("retransmit-initial", d.retransmitInitial());
            List<String> hook = List.of();
            JsonNode h = t.take("fallback-hook");
            if (h != null) {
                if (!h.isArray() || h.isEmpty()) {
                    throw t.error("fallback-hook", "must be a non-empty array of strings, e.g. [\"/usr/local/sbin/full-ike\", \"%mn%\"]");
                }
                List<String> parts = new ArrayList<>();
                for (JsonNode p : h) {
                    if (!p.isTextual()) {
                        throw t.error("fallback-hook", "must be an array of strings");
                    }
                    parts.add(p.asText());
                }
                if (!parts.get(0).startsWith("/")) {
                    throw t.error("fallback-hook", "the command must be an absolute path (got '" + parts.get(0) + "')");
                }
                hook = parts;
            }
            return new IkeSection(port, rounds, timer, retransmit, hook);
        }

        private TimerSection timerSection(Table t) throws ConfigException {
            t.allow("cxtp-retry-initial", "cxtp-retry-max", "max-transfer-time");
            TimerSection d = TimerSection.DEFAULT;
            Duration initial = t.duration("cxtp-retry-initial", d.cxtpRetryInitial());
            Duration max = t.duration("cxtp-retry-max", d.cxtpRetryMax());
            Duration transfer = t.duration("max-transfer-time", d.maxTransferTime());
            if (max.compareTo(initial) < 0) {
                throw t.error("cxtp-retry-max", "must not be shorter than cxtp-retry-initial");
            }
            return new TimerSection(initial, max, transfer);
        }

        // ----- value helpers

        private IpPrefix prefix(Table t, String key, String s) throws ConfigException {
            int slash = s.indexOf('/');
            if (slash < 0) {
                throw t.error(key, "not a prefix: '" + s + "' (expected ADDRESS/LENGTH)");
            }
            try {
                return IpPrefix.parse(s);
            } catch (IllegalArgumentException e) {
                throw t.error(key, e.getMessage());
            }
        }

        private SpiRange spiRange(Table t, String s) throws ConfigException {
            int dash = s.indexOf('-');
            if (dash < 0) {
                throw t.error("spi-range", "expected FIRST-LAST, e.g. \"0x100-0xcfffffff\" (got '" + s + "')");
            }
            try {
                long first = Long.decode(s.substring(0, dash).strip());
                long last = Long.decode(s.substring(dash + 1).strip());
                if (first < 0 || last < 0 || first > 0xFFFF_FFFFL || last > 0xFFFF_FFFFL) {
                    throw t.error("spi-range", "SPIs are 32-bit values (got '" + s + "')");
                }
                return new SpiRange((int) first, (int) last);
            } catch (NumberFormatException e) {
                throw t.error("spi-range", "expected FIRST-LAST, e.g. \"0x100-0xcfffffff\" (got '" + s + "')");
            } catch (IllegalArgumentException e) {
                throw t.error("spi-range", e.getMessage());
            }
        }

        /** An inline key is as secret as a key file: the configuration file must not be readable by others. */
        private void warnIfReadableByOthers() {
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(configFile);
                if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                    warnings.add(configFile + " holds a key inline but is readable by "
                            + (perms.contains(PosixFilePermission.OTHERS_READ) ? "everyone" : "its group")
                            + " (mode " + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "); chmod 600 it or use key-file");
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                warnings.add("cannot check the permissions of " + configFile + ", which holds a key inline: " + e.getMessage());
            }
        }

        private Optional<KeyBytes> key(Table t, String inline, String fileKey, int min, int max) throws ConfigException {
            String hex = t.string(inline, null);
            String file = t.string(fileKey, null);
            if (hex != null && file != null) {
                throw t.error(fileKey, "give either " + inline + " or " + fileKey + ", not both");
            }
            String lengths = min == max ? (2 * min) + " hex digits (" + min + " octets)"
                    : (2 * min) + " to " + (2 * max) + " hex digits (" + min + " to " + max + " octets)";
            if (hex != null) {
                KeyBytes k = hexKey(hex);
                if (k == null || k.length() < min || k.length() > max) {
                    throw t.error(inline, "must be " + lengths + (k == null ? "" : ", got " + k.length() + " octets"));
                }
                inlineKey = true;
                return Optional.of(k);
            }
            if (file == null) {
                return Optional.empty();
            }
            Path p = fromCredentials(base.resolve(file), System.getenv("CREDENTIALS_DIRECTORY"));
            String content;
            try {
                content = Files.readString(p, StandardCharsets.US_ASCII);
            } catch (NoSuchFileException e) {
                throw t.error(fileKey, "cannot read key file " + p + ": no such file");
            } catch (IOException | SecurityException e) {
                throw t.error(fileKey, "cannot read key file " + p + ": " + e.getMessage());
            }
            StringBuilder digits = new StringBuilder();
            for (String l : content.split("\n", -1)) {
                String s = l.strip();
                if (!s.startsWith("#")) {
                    digits.append(s.replaceAll("\\s+", ""));
                }
            }
            KeyBytes k = hexKey(digits.toString());
            if (k == null || k.length() < min || k.length() > max) {
                throw t.error(fileKey, "key file " + p + " must hold " + lengths
                        + (k == null ? " (found other characters)" : ", found " + k.length() + " octets"));
            }
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                    warnings.add("key file " + p + " is readable by " + (perms.contains(PosixFilePermission.OTHERS_READ)
                            ? "others" : "its group") + " (mode " + java.nio.file.attribute.PosixFilePermissions.toString(perms)
                            + "); chmod 0600 recommended");
                }
            } catch (IOException | UnsupportedOperationException e) {
                // permissions unknown: nothing to warn about
            }
            return Optional.of(k);
        }

        private static KeyBytes hexKey(String s) {
            String h = s.strip();
            if (h.startsWith("0x") || h.startsWith("0X")) {
                h = h.substring(2);
            }
            if (h.isEmpty() || h.length() % 2 != 0 || !h.matches("[0-9a-fA-F]+")) {
                return null;
            }
            byte[] b = HexFormat.of().parseHex(h);
            KeyBytes k = KeyBytes.of(b);
            java.util.Arrays.fill(b, (byte) 0);
            return k;
        }

        /** A table being read: takes keys one by one so that leftovers are known. */
        private final class Table {
            final ObjectNode node;
            final String label;
            final String tableName;
            final int index;
            final Set<String> taken = new HashSet<>();

            Table(ObjectNode node, String label, String tableName, int index) {
                this.node = node;
                this.label = label;
                this.tableName = tableName;
                this.index = index;
            }

            /** Rejects keys not in the list, before any value is looked at (a typo explains "missing" errors). */
            void allow(String... keys) throws ConfigException {
                Set<String> known = new LinkedHashSet<>(List.of(keys));
                for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
                    String k = it.next();
                    if (!known.contains(k)) {
                        throw new ConfigException(source, line(k), label + " " + k,
                                "unknown key (known: " + String.join(", ", known) + ")");
                    }
                }
            }

            boolean has(String key) {
                return node.has(key);
            }

            int line(String key) {
                int l = lines.key(tableName, index, key);
                return l > 0 ? l : lines.table(tableName, index);
            }

            ConfigException error(String key, String problem) {
                return new ConfigException(source, line(key), label + " " + key, problem);
            }

            JsonNode take(String key) {
                taken.add(key);
                return node.get(key);
            }

            String string(String key, String dflt) throws ConfigException {
                JsonNode n = take(key);
                if (n == null) {
                    return dflt;
                }
                if (!n.isTextual()) {
                    throw error(key, "must be a string (in double quotes)");
                }
                return n.asText();
            }

            boolean bool(String key, boolean dflt) throws ConfigException {
                JsonNode n = take(key);
                if (n == null) {
                    return dflt;
                }
                if (!n.isBoolean()) {
                    throw error(key, "must be true or false");
                }
                return n.asBoolean();
            }

            Long integer(String key, Long dflt, long min, long max) throws ConfigException {
                JsonNode n = take(key);
                if (n == null) {
                    return dflt;
                }
                if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                    throw error(key, "must be an integer");
                }
                long v = n.asLong();
                if (v < min || v > max) {
                    throw error(key, "out of range " + min + ".." + max + " (got " + v + ")");
                }
                return v;
            }

            int port(String key, int dflt) throws ConfigException {
                JsonNode n = node.get(key);
                if (n != null && n.isIntegralNumber() && (n.asLong() < 1 || n.asLong() > 65535)) {
                    throw error(key, "port out of range 1..65535 (got " + n.asText() + ")");
                }
                return integer(key, (long) dflt, 1, 65535).intValue();
            }

            Duration duration(String key, Duration dflt) throws ConfigException {
                String s = string(key, null);
                if (s == null) {
                    return dflt;
                }
                Duration d;
                try {
                    d = parseDuration(s);
                } catch (IllegalArgumentException e) {
                    throw error(key, e.getMessage());
                }
                if (d.isZero()) {
                    throw error(key, "must be longer than 0");
                }
                return d;
            }

            Path absolutePath(String key, Path dflt) throws ConfigException {
                String s = string(key, null);
                if (s == null) {
                    return dflt;
                }
                if (!s.startsWith("/")) {
                    throw error(key, "must be an absolute path (got '" + s + "')");
                }
                return Path.of(s);
            }

            <T> T choice(String key, String dflt, java.util.function.Function<String, T> parser) throws ConfigException {
                String s = string(key, dflt);
                try {
                    return parser.apply(s);
                } catch (IllegalArgumentException e) {
                    throw error(key, e.getMessage());
                }
            }

            InetAddress requiredAddress(String key, String requiredForRole) throws ConfigException {
                String s = string(key, null);
                if (s == null) {
                    throw error(key, requiredForRole == null ? "required" : "required for role " + requiredForRole);
                }
                InetAddress a = literal(s);
                if (a == null) {
                    throw error(key, "not an IP address: '" + s + "'");
                }
                return a;
            }
        }
    }

    /** An address literal (IPv4 dotted quad or IPv6 text), never a host name lookup. */
    static InetAddress literal(String s) {
        return io.cxt.xfrm.AddressText.parseOrNull(s);
    }

    /**
     * Where tables and keys are in the text: a scan of table headers and {@code key =} lines. Good for
     * the files people write; a multi-line string that happens to contain "x =" may confuse it, which only
     * costs a line number in a message.
     */
    static final class LineIndex {
        private static final Pattern ARRAY_TABLE = Pattern.compile("^\\s*\\[\\[\\s*\"?([A-Za-z0-9_.-]+)\"?\\s*]]");
        private static final Pattern TABLE = Pattern.compile("^\\s*\\[\\s*\"?([A-Za-z0-9_.-]+)\"?\\s*]");
        private static final Pattern KEY = Pattern.compile("^\\s*\"?([A-Za-z0-9_-]+)\"?\\s*[.=]");

        private final Map<String, Integer> tables = new HashMap<>();
        private final Map<String, Integer> keys = new HashMap<>();

        LineIndex(String text) {
            Map<String, Integer> arrayCounts = new HashMap<>();
            String current = "";
            String[] ls = text.split("\n", -1);
            for (int i = 0; i < ls.length; i++) {
                String l = ls[i];
                Matcher m = ARRAY_TABLE.matcher(l);
                if (m.find()) {
                    int idx = arrayCounts.merge(m.group(1), 1, Integer::sum) - 1;
                    current = m.group(1) + "#" + idx;
                    tables.putIfAbsent(current, i + 1);
                    continue;
                }
                m = TABLE.matcher(l);
                if (m.find()) {
                    current = m.group(1) + "#0";
                    tables.putIfAbsent(current, i + 1);
                    continue;
                }
                m = KEY.matcher(l);
                if (m.find()) {
                    keys.putIfAbsent(current + "/" + m.group(1), i + 1);
                }
            }
        }

        int table(String name, int index) {
            return tables.getOrDefault(name + "#" + index, 0);
        }

        int key(String table, int index, String key) {
            return keys.getOrDefault(table + "#" + index + "/" + key, 0);
        }

        /** A top-level name: its table header, or a top-level key line. */
        int topLevel(String name) {
            int t = table(name, 0);
            return t > 0 ? t : keys.getOrDefault("/" + name, 0);
        }
    }

    /**
     * Where to read a key file from. Under systemd the unit's {@code LoadCredential=keys:/etc/cxt/keys}
     * hands the (root-only) key directory to the unprivileged agent as credentials named
     * {@code keys_<file name>} in {@code $CREDENTIALS_DIRECTORY}; a key file with that name there is
     * read instead of the configured path, so one configuration works with and without systemd.
     */
    static Path fromCredentials(Path keyFile, String credentialsDirectory) {
        if (credentialsDirectory == null || credentialsDirectory.isBlank() || keyFile.getFileName() == null) {
            return keyFile;
        }
        Path credential = Path.of(credentialsDirectory).resolve("keys_" + keyFile.getFileName());
        return Files.isRegularFile(credential) ? credential : keyFile;
    }
}
