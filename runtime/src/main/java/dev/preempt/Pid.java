package dev.preempt;

import dev.preempt.internal.ApiAccess;
import dev.preempt.internal.sched.Proc;

/**
 * A process identifier: a small value that names one process for the life of the JVM and is never
 * reused. It prints like Erlang's, {@code <0.42.0>}. Equal pids name the same process; a pid may
 * outlive its process (sends to it are then dropped).
 *
 * <pre>{@code
 * Pid worker = Preempt.spawn(() -> System.out.println("hello from " + Preempt.self()));
 * }</pre>
 */
public final class Pid implements Comparable<Pid> {

    static {
        ApiAccess.register(new ApiAccess.PidFactory() {
            @Override
            public Pid newPid(long id, Proc proc) {
                return new Pid(id, proc);
            }

            @Override
            public Proc procOf(Pid pid) {
                return pid.proc;
            }
        });
    }

    private final long id;
    private final transient Proc proc;

    Pid(long id, Proc proc) {
        this.id = id;
        this.proc = proc;
    }

    /**
     * The process's serial number, unique in this JVM.
     *
     * @return the number, the middle part of {@code <0.42.0>}
     */
    public long id() {
        return id;
    }

    Proc proc() {
        return proc;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pid p && p.id == id;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public int compareTo(Pid o) {
        return Long.compare(id, o.id);
    }

    @Override
    public String toString() {
        return "<0." + id + ".0>";
    }
}
