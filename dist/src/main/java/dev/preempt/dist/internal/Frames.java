package dev.preempt.dist.internal;

import dev.preempt.dist.Tuple;

/**
 * Builds the frames a connection writes after the handshake: a 4-byte length, the pass-through byte
 * 'p' (112; no distribution header: this node offers no atom cache), the control message, and the
 * message for the kinds that carry one. The control messages' numbers are OTP's. Encoding happens on the
 * sender's thread, so a value with no mapping fails the send there. Stateless.
 */
public final class Frames {

    /** A tick: a frame of length 0. Never written to by anyone. */
    static final byte[] TICK = new byte[4];

    static final int LINK = 1;
    static final int SEND = 2;
    static final int EXIT = 3;
    static final int REG_SEND = 6;
    static final int EXIT2 = 8;
    static final int SEND_TT = 12;
    static final int EXIT_TT = 13;
    static final int REG_SEND_TT = 16;
    static final int EXIT2_TT = 18;
    static final int MONITOR_P = 19;
    static final int DEMONITOR_P = 20;
    static final int MONITOR_P_EXIT = 21;
    static final int SEND_SENDER = 22;
    static final int SEND_SENDER_TT = 23;
    static final int UNLINK_ID = 35;
    static final int UNLINK_ID_ACK = 36;

    private Frames() {}

    /**
     * A frame of {@code control} followed by {@code message}.
     *
     * @param self this node (its pids are exported as they are encoded)
     * @param control the control tuple
     * @param message the message, or null for control messages that carry none
     * @return the frame, length first
     * @throws dev.preempt.dist.UnmappableTermException if the message has a part with no Erlang term
     */
    public static byte[] frame(Identity self, Tuple control, Object message) {
        TermEncoder e = new TermEncoder(self);
        e.u32(0);
        e.u8(112);
        e.writeTerm(control);
        if (message != null) e.writeTerm(message);
        e.patch32(0, e.size() - 4);
        return e.toBytes();
    }
}
