package io.cxt.cli;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import io.cxt.xfrm.AddressFamily;
import io.cxt.xfrm.LifetimeConfig;
import io.cxt.xfrm.LifetimeCurrent;
import io.cxt.xfrm.Mark;
import io.cxt.xfrm.OffloadDevice;
import io.cxt.xfrm.PolicyDefault;
import io.cxt.xfrm.PolicyId;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.PolicyType;
import io.cxt.xfrm.SecurityContext;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.SpdInfo;
import io.cxt.xfrm.UserTemplate;
import io.cxt.xfrm.XfrmStructs;

/**
 * The token grammar of {@code cxctl xfrm policy ...}, iproute2's {@code ip xfrm policy} grammar
 * parsed into the xfrm-netlink records. Usage errors are one-line {@link UsageException}s.
 */
final class PolicyGrammar {
    private PolicyGrammar() {
    }

    private static void dup(Object previous, String keyword) {
        if (previous != null) {
            throw new UsageException("duplicate \"" + keyword + "\"");
        }
    }

    /** TMPL := ID [ mode MODE ] [ reqid REQID ] [ level LEVEL ], collected after "tmpl". */
    private static UserTemplate template(Tokens t, int selectorFamily) {
        StateGrammar.Id id = new StateGrammar.Id(false);
        int mode = UserTemplate.MODE_TRANSPORT;
        int reqid = 0;
        int level = 0;
        boolean modeSeen = false;
        boolean reqidSeen = false;
        boolean levelSeen = false;
        while (t.hasNext()) {
            String k = t.peek();
            boolean idKeyword = k.equals("src") && id.src == null || k.equals("dst") && id.dst == null
                    || k.equals("proto") && id.proto == null || k.equals("spi") && id.spi == null;
            if (idKeyword) {
                t.next();
                id.accept(k, t);
            } else if (k.equals("mode") && !modeSeen) {
                t.next();
                mode = XfrmSyntax.mode(t.value(k, "MODE"));
                modeSeen = true;
            } else if (k.equals("reqid") && !reqidSeen) {
                t.next();
                reqid = XfrmSyntax.u32(t.value(k, "REQID"), "REQID");
                reqidSeen = true;
            } else if (k.equals("level") && !levelSeen) {
                t.next();
                level = XfrmSyntax.level(t.value(k, "LEVEL"));
                levelSeen = true;
            } else {
                break; // the template ends; the token belongs to the policy
            }
        }
        if (id.proto == null) {
            throw new UsageException("missing \"proto XFRM-PROTO\" in \"tmpl\"");
        }
        int family = id.src != null || id.dst != null ? id.family() : selectorFamily;
        InetAddress any = XfrmStructs.any(family);
        return new UserTemplate(id.dst != null ? id.dst.address() : any, id.spi == null ? 0 : id.spi, id.proto, family,
                id.src != null ? id.src.address() : any, reqid, mode, UserTemplate.SHARE_ANY, level,
                UserTemplate.ALL_ALGORITHMS, UserTemplate.ALL_ALGORITHMS, UserTemplate.ALL_ALGORITHMS);
    }

    // ------------------------------------------------------------------ add / update

    /** {@code policy add|update SELECTOR dir DIR [ ... ] [ TMPL-LIST ]}. */
    static SecurityPolicy policy(List<String> args, LinkNames links) {
        Tokens t = new Tokens(args);
        SelectorSpec sel = new SelectorSpec(links, "SELECTOR");
        Integer dir = null;
        SecurityContext ctx = null;
        Mark mark = null;
        Integer index = null;
        PolicyType ptype = null;
        Integer action = null;
        Integer priority = null;
        int flags = 0;
        Integer ifId = null;
        LifetimeConfig lifetime = LifetimeConfig.UNLIMITED;
        List<Integer> tmplStarts = new ArrayList<>();
        String offloadDev = null;
        boolean offload = false;
        while (t.hasNext()) {
            String k = t.next();
            switch (k) {
                case "dir" -> {
                    dup(dir, k);
                    dir = XfrmSyntax.policyDir(t.value(k, "DIR"));
                }
                case "ctx" -> {
                    dup(ctx, k);
                    ctx = XfrmSyntax.context(t.value(k, "CTX"));
                }
                case "mark" -> {
                    dup(mark, k);
                    mark = XfrmSyntax.mark(t, k);
                }
                case "index" -> {
                    dup(index, k);
                    index = XfrmSyntax.u32(t.value(k, "INDEX"), "INDEX");
                }
                case "ptype" -> {
                    dup(ptype, k);
                    ptype = XfrmSyntax.ptype(t.value(k, "PTYPE"));
                }
                case "action" -> {
                    dup(action, k);
                    action = XfrmSyntax.action(t.value(k, "ACTION"));
                }
                case "priority" -> {
                    dup(priority, k);
                    priority = XfrmSyntax.u32(t.value(k, "PRIORITY"), "PRIORITY");
                }
                case "flag" -> flags |= XfrmSyntax.flagList(t, k, 8, XfrmSyntax::policyFlag, "localok, icmp or 0xHEX");
                case "if_id" -> {
                    dup(ifId, k);
                    ifId = XfrmSyntax.u32(t.value(k, "IF_ID"), "if_id");
                }
                case "limit" -> lifetime = XfrmSyntax.limit(t, lifetime);
                case "tmpl" -> {
                    // parsed once the selector's family is known
                    tmplStarts.add(t.position());
                    skipTemplate(t);
                }
                case "offload" -> {
                    if (offload) {
                        throw new UsageException("duplicate \"offload\"");
                    }
                    offload = true;
                    t.accept("packet");
                    if (!t.accept("dev")) {
                        throw new UsageException("missing \"dev DEV\" after \"offload\"");
                    }
                    offloadDev = t.value("dev", "DEV");
                }
                default -> {
                    if (!sel.accept(k, t)) {
                        throw Tokens.unknown(k, "policy add/update");
                    }
                }
            }
        }
        if (dir == null) {
            throw new UsageException("missing \"dir DIR\" (in, out or fwd)");
        }
        int family = sel.family(AddressFamily.INET);
        Selector selector = sel.build(family);
        List<UserTemplate> templates = new ArrayList<>();
        for (int start : tmplStarts) {
            Tokens tt = new Tokens(args.subList(start, args.size()));
            templates.add(template(tt, family));
        }
        PolicyInfo info = new PolicyInfo(selector, lifetime, LifetimeCurrent.ZERO, priority == null ? 0 : priority,
                index == null ? 0 : index, dir, action == null ? PolicyInfo.ACTION_ALLOW : action, flags,
                UserTemplate.SHARE_ANY);
        SecurityPolicy.Builder b = SecurityPolicy.builder(selector, dir).info(info).templates(templates).mark(mark)
                .ifId(ifId).securityContext(ctx).policyType(ptype);
        if (offload) {
            int oflags = OffloadDevice.FLAG_PACKET | (dir == PolicyInfo.DIR_IN ? OffloadDevice.FLAG_INBOUND : 0);
            b.offload(new OffloadDevice(links.index(offloadDev), oflags));
        }
        return b.build();
    }

    /** Moves past a template's tokens (the grammar of {@link #template}, values unchecked). */
    private static void skipTemplate(Tokens t) {
        // parse with a throw-away family; errors in the template surface here already
        template(t, AddressFamily.INET);
    }

    // ------------------------------------------------------------------ get / delete

    /** {@code policy get|delete { SELECTOR | index INDEX } dir DIR [ ctx CTX ] [ mark MARK ] [ ptype PTYPE ] [ if_id IF_ID ]}. */
    static PolicyId id(List<String> args, LinkNames links) {
        Tokens t = new Tokens(args);
        SelectorSpec sel = new SelectorSpec(links, "SELECTOR");
        Integer dir = null;
        SecurityContext ctx = null;
        Mark mark = null;
        Integer index = null;
        PolicyType ptype = null;
        Integer ifId = null;
        while (t.hasNext()) {
            String k = t.next();
            switch (k) {
                case "dir" -> {
                    dup(dir, k);
                    dir = XfrmSyntax.policyDir(t.value(k, "DIR"));
                }
                case "ctx" -> {
                    dup(ctx, k);
                    ctx = XfrmSyntax.context(t.value(k, "CTX"));
                }
                case "mark" -> {
                    dup(mark, k);
                    mark = XfrmSyntax.mark(t, k);
                }
                case "index" -> {
                    dup(index, k);
                    index = XfrmSyntax.u32(t.value(k, "INDEX"), "INDEX");
                }
                case "ptype" -> {
                    dup(ptype, k);
                    ptype = XfrmSyntax.ptype(t.value(k, "PTYPE"));
                }
                case "if_id" -> {
                    dup(ifId, k);
                    ifId = XfrmSyntax.u32(t.value(k, "IF_ID"), "if_id");
                }
                default -> {
                    if (!sel.accept(k, t)) {
                        throw Tokens.unknown(k, "policy get/delete");
                    }
                }
            }
        }
        if (dir == null) {
            throw new UsageException("missing \"dir DIR\" (in, out or fwd)");
        }
        if (index != null && !sel.isEmpty()) {
            throw new UsageException("give either a SELECTOR or \"index INDEX\", not both");
        }
        if (index == null && sel.isEmpty()) {
            throw new UsageException("missing SELECTOR or \"index INDEX\"");
        }
        PolicyId id = index != null ? PolicyId.byIndex(index, dir)
                : PolicyId.bySelector(sel.build(sel.family(AddressFamily.INET)), dir);
        return id.withMark(mark).withIfId(ifId).withPolicyType(ptype).withSecurityContext(ctx);
    }

    // ------------------------------------------------------------------ list

    /** The filter of {@code policy list}: all applied to the dump, as iproute2 does. */
    record Filter(SelectorSpec selector, Integer dir, Integer index, PolicyType ptype, Integer action,
                  Integer priority, Integer flags, boolean noSocket) {

        boolean matches(SecurityPolicy p) {
            int d = p.direction();
            if (noSocket && d >= 3) {
                return false;
            }
            if (dir != null && d != dir) {
                return false;
            }
            if (ptype != null && p.effectivePolicyType().type() != ptype.type()) {
                return false;
            }
            if (selector != null && !selector.matches(p.selector())) {
                return false;
            }
            if (index != null && p.index() != index) {
                return false;
            }
            if (action != null && p.action() != action) {
                return false;
            }
            if (priority != null && p.priority() != priority) {
                return false;
            }
            return flags == null || (p.info().flags() & flags) != 0;
        }
    }

    static Filter filter(List<String> args, LinkNames links) {
        Tokens t = new Tokens(args);
        SelectorSpec sel = new SelectorSpec(links, "SELECTOR");
        Integer dir = null;
        Integer index = null;
        PolicyType ptype = null;
        Integer action = null;
        Integer priority = null;
        Integer flags = null;
        boolean noSocket = false;
        while (t.hasNext()) {
            String k = t.next();
            switch (k) {
                case "nosock" -> noSocket = true;
                case "dir" -> dir = XfrmSyntax.policyDir(t.value(k, "DIR"));
                case "index" -> index = XfrmSyntax.u32(t.value(k, "INDEX"), "INDEX");
                case "ptype" -> ptype = XfrmSyntax.ptype(t.value(k, "PTYPE"));
                case "action" -> action = XfrmSyntax.action(t.value(k, "ACTION"));
                case "priority" -> priority = XfrmSyntax.u32(t.value(k, "PRIORITY"), "PRIORITY");
                case "flag" -> flags = XfrmSyntax.flagList(t, k, 8, XfrmSyntax::policyFlag, "localok, icmp or 0xHEX");
                default -> {
                    if (!sel.accept(k, t)) {
                        throw Tokens.unknown(k, "policy list");
                    }
                }
            }
        }
        sel.family(AddressFamily.INET); // src and dst of one family
        return new Filter(sel.isEmpty() ? null : sel, dir, index, ptype, action, priority, flags, noSocket);
    }

    // ------------------------------------------------------------------ flush, defaults, thresholds

    /** {@code policy flush [ ptype PTYPE ]}: the type, or null for iproute2's default (main, no attribute). */
    static PolicyType flushType(List<String> args) {
        Tokens t = new Tokens(args);
        PolicyType type = null;
        while (t.hasNext()) {
            String k = t.next();
            if (k.equals("ptype")) {
                type = XfrmSyntax.ptype(t.value(k, "PTYPE"));
            } else {
                throw Tokens.unknown(k, "policy flush");
            }
        }
        return type;
    }

    /** {@code policy setdefault DIR ACTION [ DIR ACTION ] [ DIR ACTION ]}; unnamed directions stay as they are. */
    static PolicyDefault defaults(List<String> args) {
        Tokens t = new Tokens(args);
        int in = PolicyDefault.UNSPEC;
        int fwd = PolicyDefault.UNSPEC;
        int out = PolicyDefault.UNSPEC;
        if (!t.hasNext()) {
            throw new UsageException("missing DIR ACTION (for example: in block)");
        }
        while (t.hasNext()) {
            String d = t.next();
            switch (d) {
                case "in" -> in = XfrmSyntax.defaultAction(t.value(d, "ACTION"));
                case "fwd" -> fwd = XfrmSyntax.defaultAction(t.value(d, "ACTION"));
                case "out" -> out = XfrmSyntax.defaultAction(t.value(d, "ACTION"));
                default -> throw new UsageException("invalid DIR \"" + d + "\" (in, fwd or out)");
            }
        }
        return new PolicyDefault(in, fwd, out);
    }

    /** {@code policy set [ hthresh4 LBITS RBITS ] [ hthresh6 LBITS RBITS ]}: the thresholds to set (null: leave). */
    static SpdInfo.HashThreshold[] thresholds(List<String> args) {
        Tokens t = new Tokens(args);
        SpdInfo.HashThreshold v4 = null;
        SpdInfo.HashThreshold v6 = null;
        while (t.hasNext()) {
            String k = t.next();
            switch (k) {
                case "hthresh4" -> v4 = threshold(t, k, 32);
                case "hthresh6" -> v6 = threshold(t, k, 128);
                default -> throw Tokens.unknown(k, "policy set");
            }
        }
        if (v4 == null && v6 == null) {
            throw new UsageException("missing \"hthresh4 LBITS RBITS\" or \"hthresh6 LBITS RBITS\"");
        }
        return new SpdInfo.HashThreshold[] {v4, v6};
    }

    private static SpdInfo.HashThreshold threshold(Tokens t, String k, int max) {
        int l = XfrmSyntax.u8(t.value(k, "LBITS"), k + " LBITS");
        int r = XfrmSyntax.u8(t.value(k, "RBITS"), k + " RBITS");
        if (l > max || r > max) {
            throw new UsageException(k + " bits must be at most " + max);
        }
        return new SpdInfo.HashThreshold(l, r);
    }
}
