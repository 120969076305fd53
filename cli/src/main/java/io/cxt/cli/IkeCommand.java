package io.cxt.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import io.cxt.ike.IkeContextFormatException;
import io.cxt.ike.IkeSaContextJson;

/** {@code cxctl ike}: the IKE SAs the running cxagent holds (import, list, show). */
@Command(name = "ike",
        mixinStandardHelpOptions = true,
        description = {"The IKE SAs held by the running cxagent, over its control socket.",
            "",
            "Until cxt negotiates IKE itself, the mobile node's and the access routers' agents are given the same IKE"
                + " SA as a cxt-ike-sa/1 JSON document (docs/ike.md); after a context transfer the agents use it to"
                + " tell each other about changed SPIs (UPDATE_SPI). Listings never show keys."},
        footer = {
            "%nExamples:%n"
                + "  cxctl ike import mn1-ike.json%n"
                + "  cxctl ike list%n"
                + "  cxctl ike show 8a3f1c2b4d5e6f70",
            "%nExit status: 0 success, 1 the agent refused, cannot be reached, or FILE is not a valid document,"
                + " 2 bad command line or no such FILE."},
        subcommands = {IkeCommand.Import.class, IkeCommand.ListSas.class, IkeCommand.Show.class})
public final class IkeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    ControlSocketOption controlSocket;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "ike needs a command: import, list or show");
    }

    /** An initiator SPI as the agent names it: 16 lower-case hex digits. */
    static String spi(String text) {
        String h = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        if (h.isEmpty() || h.length() > 16 || !h.matches("[0-9a-fA-F]+")) {
            throw new UsageException("invalid IKE SPI '" + text + "' (up to 16 hex digits, e.g. 8a3f1c2b4d5e6f70)");
        }
        return String.format("%16s", h.toLowerCase(Locale.ROOT)).replace(' ', '0');
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Give the agent an IKE SA (a cxt-ike-sa/1 document).", "",
                "Reads FILE, checks that it is a valid cxt-ike-sa/1 document (as the agent will), and gives it"
                + " to the agent, which keeps the IKE SA for the mobile node it belongs to. The file holds keys: keep it"
                + " mode 0600 and remove it afterwards. A redacted document (keys shown as <redacted>) cannot be imported."})
    static final class Import extends ControlLeaf {
        @Parameters(index = "0", paramLabel = "FILE", description = "The cxt-ike-sa/1 JSON document.")
        Path file;

        @Option(names = "--mn", paramLabel = "ADDR",
                description = {"The mobile node the IKE SA belongs to (its care-of address on a router). A router needs it"
                        + " to attach the IKE SA to that MN's context and, with token-key-source = \"ike\", to check the MN's"
                        + " CTAR token. On the mobile node it defaults to its own home address."})
        String mobileNode;

        @Override
        public Integer call() throws Exception {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new UsageException("no such file: " + file);
            }
            try {
                IkeSaContextJson.read(text);
            } catch (IkeContextFormatException e) {
                throw new java.io.IOException(file + ": not a valid " + IkeSaContextJson.FORMAT + " document: " + e.getMessage());
            }
            if (mobileNode != null) {
                mobileNode = Formats.address(ContextCommand.address(mobileNode, "--mn"));
            }
            return operation(request("ike-import", mobileNode == null ? Map.of("json", text)
                    : Map.of("json", text, "mn", mobileNode)));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"The IKE SAs, one per line.", "",
                "Lists the IKE SAs the agent holds: initiator and responder SPIs, the original role, the"
                + " mobile node it belongs to, the peer's identity, the algorithms and the number of child SAs."})
    static final class ListSas extends ControlLeaf {
        @Override
        public Integer call() throws Exception {
            JsonNode list = request("ike-list", Map.of());
            if (json()) {
                printJson(list);
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode s : list) {
                rows.add(List.of(AgentText.text(s, "initiatorSpi"), AgentText.text(s, "responderSpi"), AgentText.text(s, "role"),
                        AgentText.text(s, "owner"), AgentText.text(s, "peerIdentity"), AgentText.text(s, "algorithms"),
                        Integer.toString(s.path("childSas").size())));
            }
            AgentText.table(out(), List.of("INITIATOR-SPI", "RESPONDER-SPI", "ROLE", "OWNER", "PEER", "ALGORITHMS",
                    "CHILD-SAS"), rows);
            out().flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"One IKE SA by its initiator SPI (hex).", "",
                "Prints one IKE SA, found by its initiator SPI, as 'key: value' lines followed by its child"
                + " SAs. Keys are never shown."})
    static final class Show extends ControlLeaf {
        @Parameters(index = "0", paramLabel = "SPI", description = "The initiator SPI in hex (up to 16 digits, 0x optional).")
        String spi;

        @Override
        public Integer call() throws Exception {
            JsonNode s = request("ike-show", Map.of("spi", spi(spi)));
            if (json()) {
                printJson(s);
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"initiator-spi", AgentText.text(s, "initiatorSpi")});
            rows.add(new String[] {"responder-spi", AgentText.text(s, "responderSpi")});
            rows.add(new String[] {"role", AgentText.text(s, "role")});
            rows.add(new String[] {"owner", AgentText.text(s, "owner")});
            rows.add(new String[] {"peer", AgentText.text(s, "peerIdentity")});
            rows.add(new String[] {"algorithms", AgentText.text(s, "algorithms")});
            rows.add(new String[] {"message-ids", AgentText.text(s, "messageIds")});
            AgentText.keyValues(out(), rows);
            s.path("childSas").forEach(c -> out().println("  child " + c.asText()));
            out().flush();
            return 0;
        }
    }
}
