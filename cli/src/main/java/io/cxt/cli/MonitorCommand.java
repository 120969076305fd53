package io.cxt.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.cxt.xfrm.XfrmClient;
import io.cxt.xfrm.XfrmEvent;
import io.cxt.xfrm.XfrmMonitor;
import io.cxt.xfrm.XfrmMsgType;

/** {@code cxctl xfrm monitor}: the kernel's XFRM notifications, like {@code ip xfrm monitor}. */
@Command(name = "monitor",
        mixinStandardHelpOptions = true,
        customSynopsis = "cxctl xfrm monitor [-s]... [--keys] [-c COUNT] [--timeout SECONDS] [ all | OBJECTS ]",
        description = {"Prints the kernel's XFRM notifications as they happen, as 'ip xfrm monitor' does, until"
            + " interrupted (SIGINT or SIGTERM end it with exit status 0), until COUNT events were printed, or until"
            + " the timeout. With --json: one JSON object per line, {\"event\": \"...\", ...}.",
            "",
            "OBJECTS := { acquire | expire | SA | policy | aevent | report | migrate | mapping } ...",
            ""},
        footer = {"%nObjects (the kernel's multicast groups; default all):%n"
            + "  acquire   ACQUIRE: a policy needs an SA that is not there ('acquire proto esp ...').%n"
            + "  expire    EXPIRE and POLEXPIRE: an SA or a policy reached its soft or hard lifetime%n"
            + "            ('Expired ...', then 'hard 0' or 'hard 1').%n"
            + "  SA        NEWSA, UPDSA ('Updated ...'), DELSA ('Deleted ...'), FLUSHSA ('Flushed state proto P').%n"
            + "            ALLOCSPI makes no notification: a larval SA is first seen when it is updated,%n"
            + "            deleted or expires.%n"
            + "  policy    NEWPOLICY, UPDPOLICY ('Updated ...'), DELPOLICY ('Deleted ...'), FLUSHPOLICY%n"
            + "            ('Flushed policy ptype T'), and the defaults after SETDEFAULT ('Default policies:').%n"
            + "  aevent    NEWAE: replay counters or lifetime passed a threshold ('Async event ...').%n"
            + "  report    REPORT (Mobile IPv6).%n"
            + "  migrate   MIGRATE: a policy and its SAs moved to new end points ('Migrate ...').%n"
            + "  mapping   MAPPING: a NAT-traversal peer's address or port changed ('Mapping change ...').%n"
            + "If the kernel drops notifications because cxctl reads too slowly (ENOBUFS), an 'Overrun' line%n"
            + "(JSON event \"overrun\") says so: then re-read the SAD and SPD.%n"
            + "%nExamples:%n"
            + "  cxctl xfrm monitor%n"
            + "  cxctl -n gw1 xfrm monitor SA policy%n"
            + "  cxctl --json xfrm monitor acquire expire | jq -c 'select(.event == \"acquire\")'%n"
            + "  cxctl xfrm monitor -c 1 --timeout 10 policy" + "%n" + XfrmHelp.EXIT_STATUS})
public final class MonitorCommand extends XfrmLeaf {

    @Option(names = {"-s", "--stats"}, description = "Print events with the detail of 'list -s'.")
    boolean[] stats;

    @Option(names = "--keys", description = "Print key material of SA events (hidden by default).")
    boolean keys;

    @Option(names = {"-c", "--count"}, paramLabel = "COUNT", description = "Exit after COUNT events.")
    Long maxEvents;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Exit after SECONDS seconds.")
    Double timeoutSeconds;

    @Parameters(paramLabel = "OBJECTS", arity = "0..*", description = "What to watch, see below; default all.")
    List<String> objects = new ArrayList<>();

    /** The groups to join for the objects named. */
    static int[] groups(List<String> objects) {
        TreeSet<Integer> g = new TreeSet<>();
        for (String o : objects) {
            switch (o) {
                case "all" -> {
                    for (int i = 1; i <= XfrmMsgType.GRP_MAX; i++) {
                        g.add(i);
                    }
                }
                case "acquire" -> g.add(XfrmMsgType.GRP_ACQUIRE);
                case "expire" -> g.add(XfrmMsgType.GRP_EXPIRE);
                case "SA", "sa" -> g.add(XfrmMsgType.GRP_SA);
                case "policy" -> g.add(XfrmMsgType.GRP_POLICY);
                case "aevent" -> g.add(XfrmMsgType.GRP_AEVENTS);
                case "report" -> g.add(XfrmMsgType.GRP_REPORT);
                case "migrate" -> g.add(XfrmMsgType.GRP_MIGRATE);
                case "mapping" -> g.add(XfrmMsgType.GRP_MAPPING);
                case "nokeys" -> {
                    // keys are hidden unless --keys; accepted for iproute2 compatibility
                }
                default -> throw new UsageException("unknown object \"" + o + "\" (all, acquire, expire, SA, policy,"
                        + " aevent, report, migrate or mapping)");
            }
        }
        if (g.isEmpty()) {
            return XfrmMonitor.allGroups();
        }
        return g.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    @SuppressWarnings("try") // the signal registration only has to be open while the monitor runs
    public Integer call() throws Exception {
        int[] groups = groups(objects);
        if (maxEvents != null && maxEvents <= 0) {
            throw new UsageException("--count must be positive");
        }
        if (timeoutSeconds != null && !(timeoutSeconds > 0)) {
            throw new UsageException("--timeout must be positive");
        }
        LinkNames links = links();
        XfrmText.Options text = textOptions(count(stats), keys, links);
        boolean asJson = json();
        AtomicLong printed = new AtomicLong();
        try (XfrmClient client = openXfrm(); XfrmMonitor monitor = XfrmMonitor.open(client, groups)) {
            Thread timer = null;
            if (timeoutSeconds != null) {
                long millis = (long) (timeoutSeconds * 1000);
                timer = new Thread(() -> {
                    try {
                        Thread.sleep(millis);
                        monitor.stop();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "cxctl-monitor-timeout");
                timer.setDaemon(true);
                timer.start();
            }
            try (Signals.Registration signals = Signals.onTermination(monitor::stop)) {
                monitor.run(event -> {
                    print(event, asJson, text, links);
                    if (maxEvents != null && printed.incrementAndGet() >= maxEvents) {
                        monitor.stop();
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } finally {
                if (timer != null) {
                    timer.interrupt();
                }
            }
        }
        return ExitCodes.OK;
    }

    private void print(XfrmEvent event, boolean asJson, XfrmText.Options text, LinkNames links) {
        if (asJson) {
            try {
                printJsonLine(XfrmJson.event(event, links::name), keys);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            out().print(XfrmText.event(event, text));
            out().flush();
        }
        if (out().checkError()) {
            // stdout is gone (a closed pipe): stop as ip(8) would
            throw new UncheckedIOException(new IOException("cannot write to standard output"));
        }
    }
}
