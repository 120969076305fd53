package io.cxt.bench.context;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/** Collections and their accumulated time, so that a figure can say how much of it was the JVM's GC. */
record GcClock(long collections, long millis) {

    static GcClock now() {
        long count = 0;
        long time = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            time += Math.max(0, gc.getCollectionTime());
        }
        return new GcClock(count, time);
    }

    GcClock since(GcClock earlier) {
        return new GcClock(collections - earlier.collections, millis - earlier.millis);
    }

    static String collectorNames() {
        StringBuilder sb = new StringBuilder();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sb.append(sb.length() == 0 ? "" : " + ").append(gc.getName());
        }
        return sb.toString();
    }
}
