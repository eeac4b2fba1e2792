package dev.preempt;

/** The receive loop behind {@link Server}. */
final class ServerLoop {

    private ServerLoop() {}

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
                if (r.replies && call != null) Preempt.reply(call, r.reply);
                if (r.stop != null) {
                    reason = r.stop;
                    break;
                }
            }
        } catch (ProcessExit e) {
            if (e.reason() != ExitReason.KILLED) server.terminate(e.reason(), state);
            throw e;
        } catch (RuntimeException | Error e) {
            server.terminate(ExitReason.exception(e), state);
            throw e;
        }
        server.terminate(reason, state);
        if (!reason.isNormal()) Preempt.exit(reason);
    }
}
