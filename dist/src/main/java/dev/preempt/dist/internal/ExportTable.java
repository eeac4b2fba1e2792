package dev.preempt.dist.internal;

import dev.preempt.Pid;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local pids this node has sent to other nodes, by number, so that a pid coming back (the
 * {@code From} of a reply) turns into the same {@link Pid}, which reaches the process. Weak: a pid
 * nobody here holds any more belongs to a process that has ended (a live process holds its own pid),
 * and a message to it would be dropped anyway. Thread-safe.
 */
public final class ExportTable {

    private static final class Entry extends WeakReference<Pid> {
        final long id;

        Entry(Pid pid, ReferenceQueue<Pid> q) {
            super(pid, q);
            this.id = pid.id();
        }
    }

    private final ConcurrentHashMap<Long, Entry> byId = new ConcurrentHashMap<>();
    private final ReferenceQueue<Pid> cleared = new ReferenceQueue<>();

    /** An empty table. */
    public ExportTable() {}

    /**
     * Remembers a local pid that is about to leave this JVM.
     *
     * @param pid a local pid
     */
    public void export(Pid pid) {
        Entry e = byId.get(pid.id());
        if (e == null || e.get() == null) byId.put(pid.id(), new Entry(pid, cleared));
        expunge();
    }

    /**
     * The local pid numbered {@code id}, if it was exported and is still held somewhere.
     *
     * @param id the pid's number
     * @return the pid, or null
     */
    public Pid find(long id) {
        Entry e = byId.get(id);
        return e == null ? null : e.get();
    }

    private void expunge() {
        for (Object r; (r = cleared.poll()) != null; ) {
            Entry e = (Entry) r;
            byId.remove(e.id, e);
        }
    }
}
