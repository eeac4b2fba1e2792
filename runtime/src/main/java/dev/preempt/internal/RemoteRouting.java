package dev.preempt.internal;

import dev.preempt.Call;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Ref;
import java.util.List;

/**
 * Where sends to remote pids (and replies to calls from other nodes) go: the distribution module installs a {@link Router} when a node starts
 * and removes it when the node stops. With none installed a send to a remote pid is dropped, as Erlang
 * drops a send to a node it cannot reach. Any thread may send; installing is rare (one node per JVM).
 */
public final class RemoteRouting {

    /** Carries messages to processes of other nodes. Called on the sender's thread; must not block long. */
    public interface Router {
        /**
         * Sends {@code message} to the remote process {@code to}; a message that cannot go is dropped.
         *
         * @param to a remote pid
         * @param message the message, already admitted by the send policy
         */
        void send(Pid to, Object message);

        /**
         * Answers a {@link Call} that came from another node; a call it does not know is dropped.
         *
         * @param call the call, as the distribution layer delivered it
         * @param value the reply, already admitted by the send policy; may be null
         */
        void reply(Call call, Object value);

        /**
         * The calling process links to the remote process {@code to}.
         *
         * @param to a remote pid
         */
        void link(Pid to);

        /**
         * The calling process removes its link to the remote process {@code to}.
         *
         * @param to a remote pid
         */
        void unlink(Pid to);

        /**
         * The calling process monitors the remote process {@code to}: a {@link dev.preempt.Down} comes.
         *
         * @param to a remote pid
         * @return the monitor's reference
         */
        Ref monitor(Pid to);

        /**
         * Removes a monitor {@link #monitor} made.
         *
         * @param ref the monitor's reference
         * @return true if it was a remote monitor still active
         */
        boolean demonitor(Ref ref);

        /**
         * Sends an exit signal to the remote process {@code to} (from the caller, if it is a process).
         *
         * @param to a remote pid
         * @param reason the signal's reason
         */
        void exit(Pid to, ExitReason reason);

        /**
         * The calling process calls the remote process {@code to} (OTP's gen_server protocol) and waits.
         *
         * @param to a remote pid
         * @param request the request, already admitted by the send policy
         * @param timeoutNanos how long to wait (negative: forever)
         * @return the reply
         * @throws dev.preempt.CallException as a local call does
         */
        Object call(Pid to, Object request, long timeoutNanos);

        /**
         * The remote processes {@code local} is linked to, for introspection (the process listing).
         *
         * @param local a local process
         * @return its links across nodes (a racy snapshot)
         */
        default List<Pid> remoteLinks(Pid local) {
            return List.of();
        }

        /**
         * The remote processes {@code local} monitors (by pid; a monitor by name is listed by the pid
         * the peer answered with once known, else left out).
         *
         * @param local a local process
         * @return what it monitors on other nodes (a racy snapshot)
         */
        default List<Pid> remoteMonitors(Pid local) {
            return List.of();
        }

        /**
         * The remote processes that monitor {@code local}.
         *
         * @param local a local process
         * @return its monitors from other nodes (a racy snapshot)
         */
        default List<Pid> remoteMonitoredBy(Pid local) {
            return List.of();
        }

        /**
         * Whether {@code local} is one of the distribution layer's own helper processes (one that
         * monitors a local process on behalf of a remote link or monitor): the listing shows the remote
         * process instead.
         *
         * @param local a local process
         * @return true for a helper
         */
        default boolean isHelper(Pid local) {
            return false;
        }
    }

    private static volatile Router router;

    private RemoteRouting() {}

    /**
     * Installs the router.
     *
     * @param r the router
     * @throws IllegalStateException if another router is installed (one node per JVM)
     */
    public static synchronized void install(Router r) {
        if (router != null && router != r) throw new IllegalStateException("a distribution node is already running in this JVM");
        router = r;
    }

    /**
     * Removes {@code r} if it is the router installed.
     *
     * @param r the router to remove
     */
    public static synchronized void uninstall(Router r) {
        if (router == r) router = null;
    }

    /**
     * Sends to a remote pid through the router; dropped if none is installed.
     *
     * @param to a remote pid
     * @param message the message, already admitted
     */
    public static void send(Pid to, Object message) {
        Router r = router;
        if (r != null) r.send(to, message);
    }

    /**
     * The router, for the operations on remote pids that cannot simply be dropped.
     *
     * @param what the operation, for the error message
     * @return the router
     * @throws IllegalStateException if no node runs in this JVM
     */
    public static Router require(String what) {
        Router r = router;
        if (r == null) throw new IllegalStateException(what + ": no distribution node runs in this JVM (start one with preempt-dist's Node.start)");
        return r;
    }

    /**
     * The installed router, if any.
     *
     * @return the router, or null
     */
    public static Router current() {
        return router;
    }

    /**
     * Answers a call from another node through the router; dropped if none is installed.
     *
     * @param call the call
     * @param value the reply, already admitted; may be null
     */
    public static void reply(Call call, Object value) {
        Router r = router;
        if (r != null) r.reply(call, value);
    }
}
