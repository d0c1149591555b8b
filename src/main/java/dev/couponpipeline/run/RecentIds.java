package dev.couponpipeline.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@code capacity} ids added (run ids, mostly), oldest forgotten first: what a long-running process
 * remembers about recent runs without growing. Thread-safe.
 */
public final class RecentIds {

    private final Map<String, Boolean> ids;

    public RecentIds(int capacity) {
        this.ids = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Adds {@code id}; true when it was not there yet. */
    public synchronized boolean add(String id) {
        return ids.put(id, Boolean.TRUE) == null;
    }

    public synchronized boolean contains(String id) {
        return ids.containsKey(id);
    }
}
