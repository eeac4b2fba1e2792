package dev.preempt.dist.internal;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A client of epmd, the Erlang port mapper (port 4369): registers this node (ALIVE2_REQ, whose socket
 * stays open for as long as the node is registered) and looks up the port of another
 * (PORT_PLEASE2_REQ). Every call has a timeout. Stateless but for the open registration.
 */
public final class Epmd {

    private static final int ALIVE2_REQ = 120;
    private static final int ALIVE2_X_RESP = 118;
    private static final int ALIVE2_RESP = 121;
    private static final int PORT_PLEASE2_REQ = 122;
    private static final int PORT2_RESP = 119;
    /** Distribution protocol versions: OTP 23+ speaks 6 only. */
    static final int VERSION = 6;

    private Epmd() {}

    /** An open registration: closing it (or this JVM ending) unregisters the node. */
    public static final class Registration implements Closeable {
        private final Socket socket;
        private final int creation;

        Registration(Socket socket, int creation) {
            this.socket = socket;
            this.creation = creation;
        }

        /**
         * The creation epmd gave this incarnation of the node.
         *
         * @return the creation
         */
        public int creation() {
            return creation;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * Registers {@code alive} (the part of the node name before {@code @}) listening on {@code port}.
     *
     * @param epmdPort epmd's port
     * @param alive the node's short name
     * @param port the port the node accepts connections on
     * @param hidden whether the node is hidden (not in other nodes' {@code nodes()})
     * @param timeoutMillis how long to wait for epmd
     * @return the open registration
     * @throws IOException if epmd is not there, or refuses (the name is taken)
     */
    public static Registration register(int epmdPort, String alive, int port, boolean hidden, int timeoutMillis) throws IOException {
        Socket s = open("localhost", epmdPort, timeoutMillis);
        try {
            byte[] name = alive.getBytes(StandardCharsets.UTF_8);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(13 + name.length);
            out.writeByte(ALIVE2_REQ);
            out.writeShort(port);
            out.writeByte(hidden ? 72 : 77);
            out.writeByte(0); // TCP/IPv4
            out.writeShort(VERSION);
            out.writeShort(VERSION);
            out.writeShort(name.length);
            out.write(name);
            out.writeShort(0); // no extra
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int tag = in.readUnsignedByte();
            int result = in.readUnsignedByte();
            int creation;
            if (tag == ALIVE2_X_RESP) creation = in.readInt();
            else if (tag == ALIVE2_RESP) creation = in.readUnsignedShort();
            else throw new IOException("epmd answered ALIVE2_REQ with tag " + tag);
            if (result != 0) {
                throw new IOException("epmd refused to register '" + alive + "' (result " + result
                        + "): is a node of that name running already?");
            }
            s.setSoTimeout(0); // from now on the socket only has to stay open
            return new Registration(s, creation);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * The port the node {@code alive} on {@code host} accepts connections on.
     *
     * @param host the node's host
     * @param epmdPort epmd's port there
     * @param alive the node's short name
     * @param timeoutMillis how long to wait for epmd
     * @return the port
     * @throws IOException if epmd is not there or does not know the node
     */
    public static int portOf(String host, int epmdPort, String alive, int timeoutMillis) throws IOException {
        try (Socket s = open(host, epmdPort, timeoutMillis)) {
            byte[] name = alive.getBytes(StandardCharsets.UTF_8);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(1 + name.length);
            out.writeByte(PORT_PLEASE2_REQ);
            out.write(name);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int tag = in.readUnsignedByte();
            if (tag != PORT2_RESP) throw new IOException("epmd on " + host + " answered PORT_PLEASE2_REQ with tag " + tag);
            int result = in.readUnsignedByte();
            if (result != 0) throw new IOException("epmd on " + host + " knows no node '" + alive + "'");
            int port = in.readUnsignedShort();
            in.readUnsignedByte(); // node type
            in.readUnsignedByte(); // protocol
            int high = in.readUnsignedShort();
            int low = in.readUnsignedShort();
            if (high < VERSION || low > VERSION) {
                throw new IOException("node '" + alive + "@" + host + "' speaks distribution versions " + low + ".." + high
                        + ", not 6 (OTP 23 or newer is needed)");
            }
            return port;
        } catch (EOFException e) {
            throw new IOException("epmd on " + host + " closed the connection mid-answer", e);
        }
    }

    private static Socket open(String host, int port, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            return s;
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot reach epmd on " + host + ":" + port + " (" + e.getMessage()
                    + "); start it with 'epmd -daemon'", e);
        }
    }
}
