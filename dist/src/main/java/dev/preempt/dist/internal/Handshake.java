package dev.preempt.dist.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The OTP 23+ distribution handshake ({@code HANDSHAKE_23}: send_name 'N', challenge 'N', big creation),
 * as the initiator ({@link #initiate}) and as the acceptor ({@link #accept}). The cookie is proved, never
 * sent: each side answers the other's random challenge with MD5(cookie ++ decimal challenge). Runs in
 * the connection's set-up process with a read timeout already set on the socket; one handshake per socket.
 */
public final class Handshake {

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * What the handshake learnt of the peer.
     *
     * @param name its node name
     * @param flags the capability flags it offered
     * @param creation its creation
     */
    public record Peer(String name, long flags, int creation) {}

    /** How an acceptor decides on a name it already has a connection (or an attempt) for. */
    public interface Arbiter {
        /**
         * The status to send the initiator {@code peer}: "ok", "ok_simultaneous", "nok" or "alive".
         *
         * @param peer the initiator's node name
         * @return the status
         */
        String statusFor(String peer);

        /**
         * The initiator answered "alive" with "true": the old connection to {@code peer} must go.
         *
         * @param peer the node
         */
        void replaceOld(String peer);
    }

    /** The handshake failed; the message says at which step and why. */
    public static final class Failed extends IOException {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }
    }

    private final String self;
    private final long flags;
    private final int creation;
    private final byte[] cookie;

    /**
     * A handshake for this node.
     *
     * @param self this node's full name
     * @param flags the flags it offers
     * @param creation its creation
     * @param cookie the cookie
     */
    public Handshake(String self, long flags, int creation, String cookie) {
        this.self = self;
        this.flags = flags;
        this.creation = creation;
        this.cookie = cookie.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Connects as the initiator.
     *
     * @param in the socket's input
     * @param out the socket's output
     * @param expected the node we mean to reach
     * @return the peer, or null if the peer said "nok" (it is connecting to us at the same time and wins)
     * @throws IOException if the handshake fails
     */
    public Peer initiate(DataInputStream in, DataOutputStream out, String expected) throws IOException {
        byte[] name = self.getBytes(StandardCharsets.UTF_8);
        frame(out, 'N', b -> {
            b.writeLong(flags);
            b.writeInt(creation);
            b.writeShort(name.length);
            b.write(name);
        });
        String status = status(in);
        switch (status) {
            case "ok", "ok_simultaneous" -> { }
            case "nok" -> { return null; }
            case "alive" -> frame(out, 's', b -> b.write("true".getBytes(StandardCharsets.US_ASCII)));
            case "not_allowed" -> throw new Failed(expected + " does not allow a connection from " + self);
            default -> throw new Failed(expected + " answered send_name with status '" + status + "'");
        }
        DataInputStream c = read(in, "the challenge");
        int tag = c.readUnsignedByte();
        if (tag != 'N') throw new Failed(expected + " sent challenge tag '" + (char) tag + "'; OTP 23 or newer is needed");
        long peerFlags = c.readLong();
        int challenge = c.readInt();
        int peerCreation = c.readInt();
        String peer = new String(c.readNBytes(c.readUnsignedShort()), StandardCharsets.UTF_8);
        checkFlags(peer, peerFlags);
        int mine = RANDOM.nextInt();
        frame(out, 'r', b -> {
            b.writeInt(mine);
            b.write(digest(challenge));
        });
        DataInputStream a = read(in, "the challenge ack");
        if (a.readUnsignedByte() != 'a') throw new Failed(expected + " sent no challenge ack");
        byte[] theirs = a.readNBytes(16);
        if (!MessageDigest.isEqual(theirs, digest(mine))) {
            throw new Failed(expected + " answered our challenge wrongly: it has another cookie");
        }
        return new Peer(peer, peerFlags, peerCreation);
    }

    /**
     * Answers a connection as the acceptor.
     *
     * @param in the socket's input
     * @param out the socket's output
     * @param arbiter decides what to do if the peer is connected or connecting already
     * @return the peer, or null if this side declined ("nok", or "alive" answered "false")
     * @throws IOException if the handshake fails (a wrong cookie included)
     */
    public Peer accept(DataInputStream in, DataOutputStream out, Arbiter arbiter) throws IOException {
        DataInputStream n = read(in, "send_name");
        int tag = n.readUnsignedByte();
        if (tag == 'n') throw new Failed("the peer sent an old-style send_name ('n'); OTP 23 or newer is needed");
        if (tag != 'N') throw new Failed("expected send_name, got tag " + tag);
        long peerFlags = n.readLong();
        int peerCreation = n.readInt();
        String peer = new String(n.readNBytes(n.readUnsignedShort()), StandardCharsets.UTF_8);
        checkFlags(peer, peerFlags);
        String status = arbiter.statusFor(peer);
        frame(out, 's', b -> b.write(status.getBytes(StandardCharsets.US_ASCII)));
        if (status.equals("nok")) return null;
        if (status.equals("alive")) {
            String answer = status(in);
            if (!answer.equals("true")) return null;
            arbiter.replaceOld(peer);
        }
        int mine = RANDOM.nextInt();
        byte[] name = self.getBytes(StandardCharsets.UTF_8);
        frame(out, 'N', b -> {
            b.writeLong(flags);
            b.writeInt(mine);
            b.writeInt(creation);
            b.writeShort(name.length);
            b.write(name);
        });
        DataInputStream r = read(in, "the challenge reply");
        if (r.readUnsignedByte() != 'r') throw new Failed(peer + " sent no challenge reply");
        int theirChallenge = r.readInt();
        byte[] theirDigest = r.readNBytes(16);
        if (!MessageDigest.isEqual(theirDigest, digest(mine))) {
            throw new Failed(peer + " answered our challenge wrongly: it has another cookie (connection refused)");
        }
        frame(out, 'a', b -> b.write(digest(theirChallenge)));
        return new Peer(peer, peerFlags, peerCreation);
    }

    private static void checkFlags(String peer, long peerFlags) throws Failed {
        long missing = DistFlags.REQUIRED & ~peerFlags;
        if (missing != 0) {
            throw new Failed(peer + " lacks distribution flags 0x" + Long.toHexString(missing) + " (OTP 23 or newer is needed)");
        }
    }

    /** MD5(cookie ++ the challenge as an unsigned decimal), as OTP's dist_util:gen_digest. */
    byte[] digest(int challenge) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(cookie);
            md5.update(Integer.toUnsignedString(challenge).getBytes(StandardCharsets.US_ASCII));
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this JDK", e);
        }
    }

    private interface Body {
        void write(DataOutputStream b) throws IOException;
    }

    /** A handshake message: 2-byte length, tag, body. */
    private static void frame(DataOutputStream out, char tag, Body body) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        DataOutputStream b = new DataOutputStream(bytes);
        b.writeByte(tag);
        body.write(b);
        out.writeShort(bytes.size());
        bytes.writeTo(out);
        out.flush();
    }

    private static DataInputStream read(DataInputStream in, String what) throws IOException {
        int len;
        byte[] body;
        try {
            len = in.readUnsignedShort();
            body = in.readNBytes(len);
        } catch (java.net.SocketTimeoutException e) {
            throw new Failed("no " + what + " within the setup time");
        }
        if (body.length != len) throw new Failed("the peer closed the connection before " + what + " (wrong cookie?)");
        return new DataInputStream(new java.io.ByteArrayInputStream(body));
    }

    private static String status(DataInputStream in) throws IOException {
        DataInputStream s = read(in, "the status");
        if (s.readUnsignedByte() != 's') throw new Failed("expected a status message");
        return new String(s.readAllBytes(), StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "Handshake[" + self + ", flags 0x" + Long.toHexString(flags) + "]";
    }
}
