package io.cxt.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.cxt.xfrm.AllocSpiRequest;
import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.SecurityAssociation;

/** {@code cxctl xfrm state}: the SAD, like {@code ip xfrm state}. */
@Command(name = "state",
        aliases = "sa",
        mixinStandardHelpOptions = true,
        description = {"Security associations (the kernel's SAD), like 'ip xfrm state'.",
            "Without a command: list every SA (keys redacted)."},
        footer = {"%nExamples:%n"
                + "  cxctl -n gw1 xfrm state list proto esp%n"
                + "  cxctl xfrm state allocspi src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 7 min 0x1000"
                + " max 0x1fff%n"
                + "  cxctl xfrm state get src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000%n"
                + "  cxctl --json xfrm state list | jq '.[].spi'%n"
                + "Run 'cxctl xfrm state COMMAND --help' for each command's grammar." + "%n" + XfrmHelp.EXIT_STATUS},
        subcommands = {StateCommand.ListStates.class, StateCommand.Get.class, StateCommand.Add.class,
            StateCommand.Update.class, StateCommand.Delete.class, StateCommand.Flush.class,
            StateCommand.Count.class, StateCommand.AllocSpi.class, StateCommand.Info.class})
public final class StateCommand extends XfrmLeaf {

    @Override
    public Integer call() throws Exception {
        ListStates all = new ListStates();
        all.spec = spec;
        return all.call();
    }

    // ------------------------------------------------------------------ list / get

    @Command(name = "list",
            aliases = {"show", "ls"},
            mixinStandardHelpOptions = true,
            customSynopsis = {"cxctl xfrm state list [-s]... [--keys] [ nokeys ] [ ID ] [ mode MODE ]",
                "        [ reqid REQID ] [ flag FLAG-LIST ]"},
            description = {"Lists security associations, larval ones (from allocspi or an ACQUIRE) included,"
                + " laid out like 'ip xfrm state list'.",
                "src and dst (which may be prefixes, ADDR/PLEN) and proto are given to the kernel as a dump"
                    + " filter (XFRMA_ADDRESS_FILTER, XFRMA_PROTO); spi, mode, reqid and flag are applied to"
                    + " what it returns. An SA matches a FLAG-LIST if it has any of the flags.",
                "",
                "ID := [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ proto XFRM-PROTO ] [ spi SPI ]%n" + XfrmHelp.MODE
                    + "FLAG := noecn | decap-dscp | nopmtudisc | wildrecv | icmp | af-unspec | align4 | esn",
                ""},
            footer = {"%nOutput: one block per SA, as ip(8) prints it: 'src A dst B', then indented 'proto P spi"
                + " 0x... reqid N mode M', 'replay-window ...', the algorithms (keys as <redacted> unless --keys),"
                + " 'anti-replay context: ...', 'sel ...'. With -s also the lifetime and statistics; with --json a"
                + " JSON array of objects.",
                "%nExamples:%n"
                    + "  cxctl xfrm state list%n"
                    + "  cxctl -n gw1 xfrm state list src 10.0.0.0/8 proto esp reqid 7%n"
                    + "  cxctl xfrm state list -s --keys spi 0x1000" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class ListStates extends XfrmLeaf {
        @Option(names = {"-s", "--stats"}, description = "Also print lifetimes and statistics (like ip -s).")
        boolean[] stats;

        @Option(names = "--keys", description = "Print key material (hidden by default, also in --json).")
        boolean keys;

        @Parameters(paramLabel = "FILTER", arity = "0..*", description = "Filter keywords, see above.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            StateGrammar.Filter f = StateGrammar.filter(args);
            return withXfrm(c -> {
                List<SecurityAssociation> sas = c.states().dump(f.addressFilter(), f.proto()).stream()
                        .filter(f::matches).toList();
                LinkNames links = links();
                XfrmText.Options o = textOptions(count(stats), keys, links);
                printAll(sas, sa -> XfrmJson.state(sa, links::name), keys, sa -> XfrmText.state(sa, o));
            });
        }
    }

    @Command(name = "get",
            mixinStandardHelpOptions = true,
            customSynopsis = "cxctl xfrm state get [-s]... [--keys] ID [ mark MARK [ mask MASK ] ] [ if_id IF_ID ]",
            description = {"Shows one security association (XFRM_MSG_GETSA), found by dst, proto and spi"
                + " (and mark, if the SA has one).",
                "",
                "ID := [ src ADDR ] dst ADDR proto XFRM-PROTO [ spi SPI ]%n"
                    + "XFRM-PROTO := esp | ah | comp | route2 | hao | NUMBER",
                ""},
            footer = {"%nExamples:%n"
                + "  cxctl xfrm state get src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000%n"
                + "  cxctl --json xfrm state get dst 192.0.2.2 proto esp spi 0x1000 mark 7" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class Get extends XfrmLeaf {
        @Option(names = {"-s", "--stats"}, description = "Also print lifetimes and statistics (like ip -s).")
        boolean[] stats;

        @Option(names = "--keys", description = "Print key material (hidden by default, also in --json).")
        boolean keys;

        @Parameters(paramLabel = "ID", arity = "0..*", description = "The SA, see above.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            SaKey key = StateGrammar.key(args);
            return withXfrm(c -> printState(c.states().get(key), count(stats), keys));
        }
    }

    // ------------------------------------------------------------------ add / update / delete

    @Command(name = "add",
            mixinStandardHelpOptions = true,
            customSynopsis = {"cxctl xfrm state add ID ALGO-LIST [ mode MODE ] [ mark MARK [ mask MASK ] ]",
                "        [ reqid REQID ] [ seq SEQ ] [ replay-window SIZE ] [ replay-seq SEQ ] [ replay-oseq SEQ ]",
                "        [ replay-seq-hi SEQ ] [ replay-oseq-hi SEQ ] [ flag FLAG-LIST ]",
                "        [ extra-flag EXTRA-FLAG-LIST ] [ sel SELECTOR ] [ LIMIT-LIST ] [ encap ENCAP ]",
                "        [ coa ADDR ] [ ctx CTX ] [ offload [ crypto | packet ] [ dev DEV ] dir DIR ]",
                "        [ output-mark MARK [ mask MASK ] ] [ if_id IF_ID ] [ tfcpad LENGTH ] [ dir DIR ]"},
            description = {"Adds a security association (XFRM_MSG_NEWSA). The kernel refuses an SA that exists"
                + " already (EEXIST); use 'update' to replace one, or to complete a larval SA from 'allocspi'.",
                "",
                XfrmHelp.STATE_ADD_GRAMMAR,
                ""},
            footer = {XfrmHelp.STATE_ADD_KEYWORDS,
                XfrmHelp.VALUES,
                "%nExamples:%n"
                    + "  cxctl xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 reqid 7 mode tunnel \\%n"
                    + "      auth-trunc 'hmac(sha256)' 0x$(openssl rand -hex 32) 128 enc 'cbc(aes)' 0x$(openssl rand -hex 16)%n"
                    + "  cxctl xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x2000 mode tunnel \\%n"
                    + "      aead 'rfc4106(gcm(aes))' 0x$(openssl rand -hex 20) 128 replay-window 128 flag esn \\%n"
                    + "      encap espinudp 4500 4500 :: if_id 7 mark 0x10/0xff%n"
                    + "  cxctl xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 reqid 7 mode tunnel \\%n"
                    + "      enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff auth 'hmac(sha1)' 0x$(openssl rand -hex 20) \\%n"
                    + "      limit time-soft 3000 limit time-hard 3600 sel src 10.0.0.0/24 dst 10.1.0.0/24" + "%n" + XfrmHelp.EXIT_STATUS})
    static class Add extends XfrmLeaf {
        @Parameters(paramLabel = "ARGS", arity = "0..*", description = "The SA, in the grammar above.")
        List<String> args = new ArrayList<>();

        boolean update() {
            return false;
        }

        @Override
        public Integer call() throws Exception {
            SecurityAssociation sa = StateGrammar.sa(args, links());
            return withXfrm(c -> {
                if (update()) {
                    c.states().update(sa);
                } else {
                    c.states().add(sa);
                }
            });
        }
    }

    @Command(name = "update",
            mixinStandardHelpOptions = true,
            customSynopsis = {"cxctl xfrm state update ID ALGO-LIST [ mode MODE ] [ ... as for add ... ]"},
            description = {"Replaces a security association (XFRM_MSG_UPDSA), or completes a larval SA"
                + " created by 'allocspi' or an ACQUIRE: give the same src, dst, proto and spi (and reqid,"
                + " mode) and the algorithms. The kernel refuses an update of an SA that does not exist"
                + " (ESRCH).",
                "",
                XfrmHelp.STATE_ADD_GRAMMAR,
                ""},
            footer = {XfrmHelp.STATE_ADD_KEYWORDS,
                XfrmHelp.VALUES,
                "%nExample (complete the larval SA 'allocspi' made):%n"
                    + "  spi=$(cxctl --json xfrm state allocspi src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel"
                    + " reqid 7 | jq .spi)%n"
                    + "  cxctl xfrm state update src 192.0.2.1 dst 192.0.2.2 proto esp spi $spi reqid 7 mode tunnel \\%n"
                    + "      aead 'rfc4106(gcm(aes))' 0x$(openssl rand -hex 20) 128" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class Update extends Add {
        @Override
        boolean update() {
            return true;
        }
    }

    @Command(name = "delete",
            aliases = "del",
            mixinStandardHelpOptions = true,
            customSynopsis = "cxctl xfrm state delete ID [ mark MARK [ mask MASK ] ] [ if_id IF_ID ]",
            description = {"Deletes a security association (XFRM_MSG_DELSA); the kernel answers ESRCH if there"
                + " is none. An SA with a mark is found only with that mark.",
                "",
                "ID := [ src ADDR ] dst ADDR proto XFRM-PROTO [ spi SPI ]",
                ""},
            footer = {"%nExample:%n  cxctl xfrm state delete src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class Delete extends XfrmLeaf {
        @Parameters(paramLabel = "ID", arity = "0..*", description = "The SA, see above.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            SaKey key = StateGrammar.key(args);
            return withXfrm(c -> c.states().delete(key));
        }
    }

    @Command(name = "flush",
            mixinStandardHelpOptions = true,
            customSynopsis = "cxctl xfrm state flush [ proto XFRM-PROTO ]",
            description = {"Deletes every IPsec SA (ESP, AH and IPCOMP; XFRM_MSG_FLUSHSA with proto ipsec-any),"
                + " or only those of one protocol. Flushing an empty SAD succeeds.", ""},
            footer = {"%nExamples:%n  cxctl xfrm state flush%n  cxctl -n gw1 xfrm state flush proto esp" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class Flush extends XfrmLeaf {
        @Parameters(paramLabel = "ARGS", arity = "0..*", description = "proto XFRM-PROTO")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            int proto = StateGrammar.flushProto(args);
            return withXfrm(c -> c.states().flush(proto));
        }
    }

    // ------------------------------------------------------------------ counters

    @Command(name = "count",
            mixinStandardHelpOptions = true,
            description = {"Prints the number of SAs (XFRM_MSG_GETSADINFO) as 'ip xfrm state count' does:"
                + " 'SAD count N'; with -s also '(buckets count B Max M)', the hash table's size."
                + " With --json: {\"saCount\": N, \"hashBuckets\": B, \"maxHashBuckets\": M}.", ""},
            footer = {XfrmHelp.EXIT_STATUS})
    static final class Count extends XfrmLeaf {
        @Option(names = {"-s", "--stats"}, description = "Also print the hash table size.")
        boolean[] stats;

        @Override
        public Integer call() throws Exception {
            return withXfrm(c -> {
                print(c.states().sadInfo(), XfrmJson::sadInfo, false, info -> XfrmText.sadCount(info, count(stats)));
            });
        }
    }

    @Command(name = "info",
            mixinStandardHelpOptions = true,
            description = {"Prints the SAD summary (XFRM_MSG_GETSADINFO): 'count -s'.", ""},
            footer = {XfrmHelp.EXIT_STATUS})
    static final class Info extends XfrmLeaf {
        @Override
        public Integer call() throws Exception {
            return withXfrm(c -> {
                print(c.states().sadInfo(), XfrmJson::sadInfo, false, info -> XfrmText.sadCount(info, 1));
            });
        }
    }

    // ------------------------------------------------------------------ allocspi

    @Command(name = "allocspi",
            mixinStandardHelpOptions = true,
            customSynopsis = {"cxctl xfrm state allocspi ID [ mode MODE ] [ mark MARK [ mask MASK ] ] [ reqid REQID ]",
                "        [ seq SEQ ] [ min SPI max SPI ] [ if_id IF_ID ] [ dir DIR ]"},
            description = {"Reserves an SPI (XFRM_MSG_ALLOCSPI): the kernel creates a larval SA (or takes the"
                + " larval SA of an ACQUIRE with the same seq) and gives it a free SPI from the range. Prints the"
                + " larval SA; 'update' completes it. The larval SA expires after 30 seconds unless completed.",
                "Without min and max the range is 0x100..0x0fffffff (0x100..0xffff for comp), as in ip(8).",
                "Note: the kernel sends no notification for ALLOCSPI; 'cxctl xfrm monitor' first sees the SA when"
                    + " it is updated, deleted or expires.",
                "",
                "ID := [ src ADDR ] [ dst ADDR ] proto XFRM-PROTO%n" + XfrmHelp.MODE + "DIR := in | out",
                ""},
            footer = {"%nKeywords:%n"
                + "  min SPI max SPI   the range to choose from (inclusive); min == max asks for exactly that"
                + " SPI.%n"
                + "  seq SEQ           the sequence number of an ACQUIRE: its larval SA gets the SPI.%n"
                + "  mode, reqid, mark, if_id, dir   as for 'add'.%n"
                + "%nExamples:%n"
                + "  cxctl xfrm state allocspi src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 7%n"
                + "  cxctl --json xfrm state allocspi src 192.0.2.1 dst 192.0.2.2 proto esp min 0x1000 max 0x1000" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class AllocSpi extends XfrmLeaf {
        @Parameters(paramLabel = "ARGS", arity = "0..*", description = "The request, see above.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            AllocSpiRequest request = StateGrammar.allocSpi(args);
            return withXfrm(c -> printState(c.states().allocSpi(request), 0, false));
        }
    }
}
