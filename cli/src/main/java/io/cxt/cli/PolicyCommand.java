package io.cxt.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.cxt.xfrm.PolicyDefault;
import io.cxt.xfrm.PolicyId;
import io.cxt.xfrm.PolicyType;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.SpdInfo;

/** {@code cxctl xfrm policy}: the SPD, like {@code ip xfrm policy}. */
@Command(name = "policy",
        mixinStandardHelpOptions = true,
        description = {"Security policies (the kernel's SPD), like 'ip xfrm policy'.",
            "Without a command: list every policy."},
        footer = {"%nExamples:%n"
                + "  cxctl xfrm policy add src 10.0.0.0/24 dst 10.1.0.0/24 dir out \\%n"
                + "      tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 7 mode tunnel%n"
                + "  cxctl -n gw1 xfrm policy list dir out%n"
                + "  cxctl xfrm policy count%n"
                + "Run 'cxctl xfrm policy COMMAND --help' for each command's grammar." + "%n" + XfrmHelp.EXIT_STATUS},
        subcommands = {PolicyCommand.ListPolicies.class, PolicyCommand.Get.class, PolicyCommand.Add.class,
            PolicyCommand.Update.class, PolicyCommand.Delete.class, PolicyCommand.Flush.class,
            PolicyCommand.Count.class, PolicyCommand.Info.class, PolicyCommand.SetDefault.class,
            PolicyCommand.GetDefault.class, PolicyCommand.Set.class})
public final class PolicyCommand extends XfrmLeaf {

    @Override
    public Integer call() throws Exception {
        ListPolicies all = new ListPolicies();
        all.spec = spec;
        return all.call();
    }

    // ------------------------------------------------------------------ list / get

    @Command(name = "list",
            aliases = {"show", "ls"},
            mixinStandardHelpOptions = true,
            customSynopsis = {"cxctl xfrm policy list [-s]... [ nosock ] [ SELECTOR ] [ dir DIR ] [ index INDEX ]",
                "        [ ptype PTYPE ] [ action ACTION ] [ priority PRIORITY ] [ flag FLAG-LIST ]"},
            description = {"Lists security policies of both types (main and sub) and all directions, laid out"
                + " like 'ip xfrm policy list'. The filters are applied to the kernel's dump, as ip(8) does:"
                + " a policy matches a SELECTOR address if its own address lies in that prefix (and is of the"
                + " same family); nosock leaves out per-socket policies.",
                "",
                XfrmHelp.SELECTOR + "DIR := in | out | fwd%nPTYPE := main | sub%nACTION := allow | block%n"
                    + "FLAG := localok | icmp",
                ""},
            footer = {"%nOutput: one block per policy, as ip(8) prints it: 'src A/len dst B/len [proto ...]', then"
                + " indented 'dir D priority N ptype T', 'mark ...', 'tmpl src ... dst ...' followed by"
                + " 'proto P reqid N mode M', 'if_id ...'. With -s also the index, share, flags, lifetime and the"
                + " templates' algorithm masks; with --json a JSON array of objects.",
                "%nExamples:%n"
                    + "  cxctl xfrm policy list%n"
                    + "  cxctl -n gw1 xfrm policy list src 10.0.0.0/24 dir out ptype main%n"
                    + "  cxctl xfrm policy list -s action block" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class ListPolicies extends XfrmLeaf {
        @Option(names = {"-s", "--stats"}, description = "Also print index, share, flags, lifetimes and masks"
                + " (like ip -s).")
        boolean[] stats;

        @Parameters(paramLabel = "FILTER", arity = "0..*", description = "Filter keywords, see above.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            LinkNames links = links();
            PolicyGrammar.Filter f = PolicyGrammar.filter(args, links);
            return withXfrm(c -> {
                List<SecurityPolicy> ps = c.policies().dump().stream().filter(f::matches).toList();
                XfrmText.Options o = textOptions(count(stats), false, links);
                printAll(ps, p -> XfrmJson.policy(p, links::name), false, p -> XfrmText.policy(p, o));
            });
        }
    }

    @Command(name = "get",
            mixinStandardHelpOptions = true,
            customSynopsis = {"cxctl xfrm policy get [-s]... { SELECTOR | index INDEX } dir DIR [ ctx CTX ]",
                "        [ mark MARK [ mask MASK ] ] [ ptype PTYPE ] [ if_id IF_ID ]"},
            description = {"Shows one policy (XFRM_MSG_GETPOLICY), found by its exact selector and direction or"
                + " by its kernel index; mark, if_id and ptype must be those of the policy. The kernel answers"
                + " ENOENT if there is none.",
                "",
                XfrmHelp.SELECTOR + "DIR := in | out | fwd%nPTYPE := main | sub",
                ""},
            footer = {"%nExamples:%n"
                + "  cxctl xfrm policy get src 10.0.0.0/24 dst 10.1.0.0/24 dir out%n"
                + "  cxctl xfrm policy get index 9 dir out mark 7" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class Get extends XfrmLeaf {
        @Option(names = {"-s", "--stats"}, description = "Also print index, share, flags, lifetimes and masks.")
        boolean[] stats;

        @Parameters(paramLabel = "ARGS", arity = "0..*", description = "The policy, see above.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            LinkNames links = links();
            PolicyId id = PolicyGrammar.id(args, links);
            return withXfrm(c -> {
                print(c.policies().get(id), p -> XfrmJson.policy(p, links::name), false,
                        p -> XfrmText.policy(p, textOptions(count(stats), false, links)));
            });
        }
    }

    // ------------------------------------------------------------------ add / update / delete

    @Command(name = "add",
            mixinStandardHelpOptions = true,
            customSynopsis = {"cxctl xfrm policy add SELECTOR dir DIR [ ctx CTX ] [ mark MARK [ mask MASK ] ]",
                "        [ index INDEX ] [ ptype PTYPE ] [ action ACTION ] [ priority PRIORITY ]",
                "        [ flag FLAG-LIST ] [ if_id IF_ID ] [ LIMIT-LIST ] [ TMPL-LIST ] [ offload [packet] dev DEV ]"},
            description = {"Adds a security policy (XFRM_MSG_NEWPOLICY). The kernel refuses a policy with the"
                + " same selector, direction, type, mark and if_id as an existing one (EEXIST); 'update'"
                + " replaces it.",
                "",
                XfrmHelp.POLICY_ADD_GRAMMAR,
                ""},
            footer = {XfrmHelp.POLICY_ADD_KEYWORDS,
                XfrmHelp.VALUES,
                "%nExamples:%n"
                    + "  cxctl xfrm policy add src 10.0.0.0/24 dst 10.1.0.0/24 dir out priority 100 \\%n"
                    + "      tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 7 mode tunnel%n"
                    + "  cxctl xfrm policy add src 2001:db8::/64 dst 2001:db8:1::/64 proto tcp dport 443 dir in \\%n"
                    + "      mark 5/0xff if_id 9 ptype sub action block%n"
                    + "  cxctl xfrm policy add src 10.0.0.1 dst 10.0.0.2 proto udp dir out flag localok \\%n"
                    + "      limit time-soft 100 tmpl proto esp mode transport level use" + "%n" + XfrmHelp.EXIT_STATUS})
    static class Add extends XfrmLeaf {
        @Parameters(paramLabel = "ARGS", arity = "0..*", description = "The policy, in the grammar above.")
        List<String> args = new ArrayList<>();

        boolean update() {
            return false;
        }

        @Override
        public Integer call() throws Exception {
            SecurityPolicy p = PolicyGrammar.policy(args, links());
            return withXfrm(c -> {
                if (update()) {
                    c.policies().update(p);
                } else {
                    c.policies().add(p);
                }
            });
        }
    }

    @Command(name = "update",
            mixinStandardHelpOptions = true,
            customSynopsis = {"cxctl xfrm policy update SELECTOR dir DIR [ ... as for add ... ]"},
            description = {"Replaces the policy with this selector, direction, type, mark and if_id"
                + " (XFRM_MSG_UPDPOLICY), or adds it if there is none.",
                "",
                XfrmHelp.POLICY_ADD_GRAMMAR,
                ""},
            footer = {XfrmHelp.POLICY_ADD_KEYWORDS,
                XfrmHelp.VALUES,
                "%nExample:%n"
                    + "  cxctl xfrm policy update src 10.0.0.0/24 dst 10.1.0.0/24 dir out priority 200 \\%n"
                    + "      tmpl src 192.0.2.1 dst 192.0.2.3 proto esp reqid 7 mode tunnel" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class Update extends Add {
        @Override
        boolean update() {
            return true;
        }
    }

    @Command(name = "delete",
            aliases = "del",
            mixinStandardHelpOptions = true,
            customSynopsis = {"cxctl xfrm policy delete { SELECTOR | index INDEX } dir DIR [ ctx CTX ]",
                "        [ mark MARK [ mask MASK ] ] [ ptype PTYPE ] [ if_id IF_ID ]"},
            description = {"Deletes a policy (XFRM_MSG_DELPOLICY), found as for 'get'. The kernel answers ENOENT"
                + " if there is none.",
                "",
                XfrmHelp.SELECTOR + "DIR := in | out | fwd%nPTYPE := main | sub",
                ""},
            footer = {"%nExamples:%n"
                + "  cxctl xfrm policy delete src 10.0.0.0/24 dst 10.1.0.0/24 dir out%n"
                + "  cxctl xfrm policy delete index 9 dir out" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class Delete extends XfrmLeaf {
        @Parameters(paramLabel = "ARGS", arity = "0..*", description = "The policy, see above.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            PolicyId id = PolicyGrammar.id(args, links());
            return withXfrm(c -> c.policies().delete(id));
        }
    }

    @Command(name = "flush",
            mixinStandardHelpOptions = true,
            customSynopsis = "cxctl xfrm policy flush [ ptype PTYPE ]",
            description = {"Deletes every policy of the main database (XFRM_MSG_FLUSHPOLICY), or of the given"
                + " type. Per-socket policies stay.", ""},
            footer = {"%nExamples:%n  cxctl xfrm policy flush%n  cxctl xfrm policy flush ptype sub" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class Flush extends XfrmLeaf {
        @Parameters(paramLabel = "ARGS", arity = "0..*", description = "ptype PTYPE")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            PolicyType type = PolicyGrammar.flushType(args);
            return withXfrm(c -> {
                if (type == null) {
                    c.policies().flush();
                } else {
                    c.policies().flush(type);
                }
            });
        }
    }

    // ------------------------------------------------------------------ counters, defaults, thresholds

    @Command(name = "count",
            mixinStandardHelpOptions = true,
            description = {"Prints the number of policies per direction (XFRM_MSG_GETSPDINFO) as 'ip xfrm policy"
                + " count' does: 'SPD IN  i OUT o FWD f'; with -s also '(Sock: IN ... OUT ... FWD ...)', the"
                + " per-socket policies; with -s -s the hash buckets and the IPv4/IPv6 hash thresholds."
                + " With --json an object with all of these.", ""},
            footer = {XfrmHelp.EXIT_STATUS})
    static class Count extends XfrmLeaf {
        @Option(names = {"-s", "--stats"}, description = "More detail (may be given twice).")
        boolean[] stats;

        int level() {
            return count(stats);
        }

        @Override
        public Integer call() throws Exception {
            return withXfrm(c -> {
                print(c.policies().spdInfo(), XfrmJson::spdInfo, false, info -> XfrmText.spdCount(info, level()));
            });
        }
    }

    @Command(name = "info",
            mixinStandardHelpOptions = true,
            description = {"Prints the whole SPD summary (XFRM_MSG_GETSPDINFO): 'count -s -s'.", ""},
            footer = {XfrmHelp.EXIT_STATUS})
    static final class Info extends Count {
        @Override
        int level() {
            return 2;
        }
    }

    @Command(name = "setdefault",
            mixinStandardHelpOptions = true,
            customSynopsis = "cxctl xfrm policy setdefault DIR ACTION [ DIR ACTION ] [ DIR ACTION ]",
            description = {"Sets what happens to traffic that no policy matches, per direction"
                + " (XFRM_MSG_SETDEFAULT). Directions not named stay as they are.",
                "",
                "DIR := in | fwd | out%nACTION := accept | block",
                ""},
            footer = {"%nExample:%n  cxctl xfrm policy setdefault in block fwd block out accept" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class SetDefault extends XfrmLeaf {
        @Parameters(paramLabel = "ARGS", arity = "0..*", description = "DIR ACTION pairs.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            PolicyDefault d = PolicyGrammar.defaults(args);
            return withXfrm(c -> c.policies().setDefault(d));
        }
    }

    @Command(name = "getdefault",
            mixinStandardHelpOptions = true,
            description = {"Prints the default actions (XFRM_MSG_GETDEFAULT) as 'ip xfrm policy getdefault' does.",
                ""},
            footer = {XfrmHelp.EXIT_STATUS})
    static final class GetDefault extends XfrmLeaf {
        @Override
        public Integer call() throws Exception {
            return withXfrm(c -> print(c.policies().getDefault(), XfrmJson::defaults, false, XfrmText::defaults));
        }
    }

    @Command(name = "set",
            mixinStandardHelpOptions = true,
            customSynopsis = "cxctl xfrm policy set [ hthresh4 LBITS RBITS ] [ hthresh6 LBITS RBITS ]",
            description = {"Sets the prefix lengths from which policies are hashed exactly"
                + " (XFRM_MSG_NEWSPDINFO): selectors with local and remote prefixes at least LBITS and RBITS long"
                + " go into the hash table, shorter ones into the inexact lists.", ""},
            footer = {"%nExample:%n  cxctl xfrm policy set hthresh4 24 16 hthresh6 64 64" + "%n" + XfrmHelp.EXIT_STATUS})
    static final class Set extends XfrmLeaf {
        @Parameters(paramLabel = "ARGS", arity = "0..*", description = "The thresholds, see above.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            SpdInfo.HashThreshold[] t = PolicyGrammar.thresholds(args);
            return withXfrm(c -> c.policies().setHashThresholds(t[0], t[1]));
        }
    }
}
