package dev.preempt;

import dev.preempt.internal.sched.Proc;

/** The receive loop behind {@link Server}. */
final class ServerLoop {

    private ServerLoop() {}

    /**
     * Acts on the signals that came while a handler ran, so that an exit that will end the server ends it
     * now ({@link ProcessExit}). An exit interrupts a handler waiting in a blocking JDK call
     * ({@code take()}, a socket read); a handler that caught the interrupt and returned a reply sent it,
     * a successful call to a server being killed, where OTP's killed server never replies.
     */
    private static void exitsFirst() {
        Proc.require("a server").drainSignals();
    }

    /**
     * After a handler threw: the exit that interrupted it, acted on now, or null. Without it
     * {@code terminate} heard the wrapped {@code InterruptedException} while the server's Down said
     * {@code stop}.
     */
    private static ProcessExit pendingExit() {
        try {
            exitsFirst();
            return null;
        } catch (ProcessExit e) {
            return e;
        }
    }

    /**
     * Runs {@code server}: registers {@code name} (if not null) before {@code init}, as
     * {@code gen_server:start_link({local, Name}, ...)} does, so that the name exists from the moment the
     * start returns, and a name already taken fails the start.
     */
    static <S> void run(Server<S> server, String name, Pid parent, Runnable ready) {
        if (name != null) Preempt.register(name, Preempt.self());
        if (server.trapExits()) Preempt.trapExits(true);
        S state = server.init();
        ready.run();
        ExitReason reason = ExitReason.NORMAL;
        try {
            while (true) {
                Object m = Preempt.receive();
                Server.Result<S> r;
                Call call = null;
                if (m instanceof Call c) {
                    call = c;
                    r = server.handleCall(c.request(), c, state);
                } else if (m instanceof Cast c) {
                    r = server.handleCast(c.message(), state);
                } else if (m instanceof Exit e && parent != null && parent.equals(e.from())) {
                    reason = e.reason(); // trapping, and the parent is gone: OTP ends the server too
                    break;
                } else {
                    r = server.handleInfo(m, state);
                }
                if (r == null) throw new IllegalStateException(server.getClass().getName() + " returned no Result for " + m);
                state = r.state;
                if (r.replies && call != null) {
                    exitsFirst(); // an exit that came during the handler ends the server before it replies
                    Preempt.reply(call, r.reply);
                }
                if (r.stop != null) {
                    reason = r.stop;
                    break;
                }
            }
        } catch (ProcessExit e) {
            if (!e.isForCurrentThread()) { // another process's exit, rethrown here by something shared: a failure
                server.terminate(ExitReason.exception(e), state);
                throw e;
            }
            if (e.reason() != ExitReason.KILLED) server.terminate(e.reason(), state);
            throw e;
        } catch (RuntimeException | Error e) {
            ProcessExit exit = pendingExit(); // what ended the handler may be an exit interrupting its wait
            if (exit != null) {
                if (exit.reason() != ExitReason.KILLED) server.terminate(exit.reason(), state);
                throw exit;
            }
            server.terminate(ExitReason.exception(e), state);
            throw e;
        }
        server.terminate(reason, state);
        if (!reason.isNormal()) Preempt.exit(reason);
    }
}
