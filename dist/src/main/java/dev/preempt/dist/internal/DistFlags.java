package dev.preempt.dist.internal;

/** The capability flags of the distribution handshake (OTP's kernel/include/dist.hrl) and the set this node offers. */
final class DistFlags {
    static final long PUBLISHED = 0x01;
    static final long EXTENDED_REFERENCES = 0x04;
    static final long DIST_MONITOR = 0x08;
    static final long FUN_TAGS = 0x10;
    static final long DIST_MONITOR_NAME = 0x20;
    static final long NEW_FUN_TAGS = 0x80;
    static final long EXTENDED_PIDS_PORTS = 0x100;
    static final long EXPORT_PTR_TAG = 0x200;
    static final long BIT_BINARIES = 0x400;
    static final long NEW_FLOATS = 0x800;
    static final long UTF8_ATOMS = 0x10000;
    static final long MAP_TAG = 0x20000;
    static final long BIG_CREATION = 0x40000;
    static final long SEND_SENDER = 0x80000;
    static final long HANDSHAKE_23 = 0x1000000;
    static final long UNLINK_ID = 0x2000000;
    static final long MANDATORY_25_DIGEST = 0x4000000;
    static final long V4_NC = 1L << 34;

    /**
     * What this node offers. FUN_TAGS, EXPORT_PTR_TAG and BIT_BINARIES are among OTP 25's mandatory
     * flags: a peer may then send funs and bit strings, which decode to an UnmappableTermException (the
     * message is dropped and the connection stays up). No atom cache, no fragments, no EXIT_PAYLOAD (the
     * peer sends exit reasons inside the control message), no aliases, no remote spawn.
     */
    static final long OFFERED = EXTENDED_REFERENCES | DIST_MONITOR | FUN_TAGS | DIST_MONITOR_NAME | NEW_FUN_TAGS
            | EXTENDED_PIDS_PORTS | EXPORT_PTR_TAG | BIT_BINARIES | NEW_FLOATS | UTF8_ATOMS | MAP_TAG | BIG_CREATION
            | SEND_SENDER | HANDSHAKE_23 | UNLINK_ID | MANDATORY_25_DIGEST | V4_NC;

    /** What a peer must offer: the term forms this node writes, and the OTP 23+ handshake. */
    static final long REQUIRED = EXTENDED_REFERENCES | EXTENDED_PIDS_PORTS | NEW_FLOATS | UTF8_ATOMS | MAP_TAG
            | BIG_CREATION | SEND_SENDER | HANDSHAKE_23;

    private DistFlags() {}
}
