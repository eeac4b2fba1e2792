package dev.preempt.dist.internal;

import dev.preempt.Pid;
import dev.preempt.internal.sched.ApiAccess;

/**
 * Who "this node" is for the term codec: its name and creation, and the table of local pids it has
 * exported. Turns local pids into their wire form and wire pids back into {@link Pid}s. Immutable but
 * for the thread-safe export table.
 */
public final class Identity {

    /** The identity used when no node runs: {@code nonode@nohost}, creation 0, as a non-distributed BEAM. */
    public static final Identity NO_NODE = new Identity("nonode@nohost", 0);

    private final String name;
    private final int creation;
    private final ExportTable exports = new ExportTable();

    /**
     * An identity.
     *
     * @param name the node's full name, {@code alive@host}
     * @param creation its creation, from epmd
     */
    public Identity(String name, int creation) {
        this.name = name;
        this.creation = creation;
    }

    /**
     * The node's full name.
     *
     * @return {@code alive@host}
     */
    public String name() {
        return name;
    }

    /**
     * The node's creation (its incarnation, from epmd).
     *
     * @return the creation
     */
    public int creation() {
        return creation;
    }

    /**
     * The wire form of any pid: a local one is exported (ID word: the low 32 bits of its number, Serial
     * word: the high 32 bits), a remote one gives the form it came with.
     *
     * @param pid the pid
     * @return its wire form
     */
    public WirePid toWire(Pid pid) {
        Object a = ApiAccess.addressOf(pid);
        if (a instanceof WirePid w) return w;
        exports.export(pid);
        return new WirePid(name, (int) pid.id(), (int) (pid.id() >>> 32), creation);
    }

    /**
     * The pid a wire form names: one of this node's (found in the export table) or a remote one. A pid
     * of this node that is not in the table (its process is gone) becomes a remote-looking pid that
     * nothing reaches.
     *
     * @param w the wire form
     * @return the pid
     */
    public Pid fromWire(WirePid w) {
        long number = Integer.toUnsignedLong(w.id()) | (Integer.toUnsignedLong(w.serial()) << 32);
        if (w.node().equals(name) && w.creation() == creation) {
            Pid local = exports.find(number);
            if (local != null) return local;
        }
        return ApiAccess.newRemotePid(w.node(), Integer.toUnsignedLong(w.id()), Integer.toUnsignedLong(w.serial()), w);
    }

    /**
     * Whether {@code w} is a pid of this node (which may be gone).
     *
     * @param w the wire form
     * @return true if its node and creation are this node's
     */
    public boolean isLocal(WirePid w) {
        return w.node().equals(name) && w.creation() == creation;
    }
}
