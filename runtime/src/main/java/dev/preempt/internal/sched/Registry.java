package dev.preempt.internal.sched;

import dev.preempt.NoProcessException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registered names, Erlang's {@code register/2}: one name per process, one process per name. A name is
 * released when its process starts exiting, before its exit signals go out.
 *
 * <p>Race with exit: {@link #register} publishes the name and then re-checks that the process is alive;
 * an exiting process marks itself EXITING and then releases its name. Both steps are volatile, so a
 * registration either sees the exit (and undoes itself) or is seen and released by it.
 */
public final class Registry {

    private static final VarHandle NAME;

    static {
        try {
            NAME = MethodHandles.privateLookupIn(Proc.class, MethodHandles.lookup())
                    .findVarHandle(Proc.class, "registeredName", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentHashMap<String, Proc> names = new ConcurrentHashMap<>();

    /** An empty registry. */
    Registry() {}

    /**
     * Registers {@code name} for {@code p}; NoProcessException if it is dead, IllegalArgumentException if it
     * is named already or the name is taken.
     *
     * @param name the name; not empty
     * @param p the process
     * @throws dev.preempt.NoProcessException if {@code p} is not alive
     * @throws IllegalArgumentException if the name is empty or taken, or {@code p} has a name already
     */
    public void register(String name, Proc p) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) throw new IllegalArgumentException("register: the name must not be empty");
        if (!p.isAlive()) throw new NoProcessException(p.pid, "register: " + p.pid + " is not alive");
        if (!NAME.compareAndSet(p, (String) null, name)) {
            throw new IllegalArgumentException("register: " + p.pid + " is already registered as '" + p.registeredName + "'");
        }
        Proc other = names.putIfAbsent(name, p);
        if (other != null) {
            NAME.setVolatile(p, (String) null);
            throw new IllegalArgumentException("register: the name '" + name + "' is taken by " + other.pid);
        }
        if (!p.isAlive()) {
            releaseOnExit(p);
            throw new NoProcessException(p.pid, "register: " + p.pid + " is not alive");
        }
        p.thread.setName(p.pid + " " + name); // thread dumps and JFR show it, as Erlang's i() does
    }

    /**
     * Removes {@code name}; IllegalArgumentException if it is not registered.
     *
     * @param name the name
     * @throws IllegalArgumentException if the name is not registered
     */
    public void unregister(String name) {
        Proc p = names.remove(Objects.requireNonNull(name, "name"));
        if (p == null) throw new IllegalArgumentException("unregister: the name '" + name + "' is not registered");
        if (NAME.compareAndSet(p, name, (String) null)) p.thread.setName(p.pid.toString());
    }

    /**
     * The live process registered as {@code name}, or null.
     *
     * @param name the name
     * @return the process, or null
     */
    public Proc whereis(String name) {
        Proc p = names.get(name);
        return p != null && p.isAlive() ? p : null;
    }

    void releaseOnExit(Proc p) {
        String n = p.registeredName;
        if (n != null) {
            names.remove(n, p);
            NAME.compareAndSet(p, n, (String) null);
        }
    }
}
