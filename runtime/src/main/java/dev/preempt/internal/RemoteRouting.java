package dev.preempt.internal;

import dev.preempt.Call;
import dev.preempt.Pid;

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
