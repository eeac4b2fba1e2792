package dev.preempt.dist.internal;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.TimeUnit;

/**
 * The connection to one peer node. Made on first use (or when the peer connects) and usable at once:
 * frames queue until a socket is {@linkplain #attach attached} after a handshake, and are dropped if none
 * is attached before the setup time. Two processes of the node's scheduler serve an attached socket:
 * the reader (frames in order, dispatched by it, so one sender's messages arrive in order) and the
 * writer (drains the queue in order, flushes when it is empty, sends a tick when nothing went out for a
 * quarter of the tick time). A peer silent for the whole tick time is taken as down
 * ({@code net_tick_timeout}).
 *
 * <p><b>The reader is a process</b> (the writer too), blocked in the socket's read as any process may be: the JDK's
 * poller wakes it on a carrier, and the processes it delivers to are woken from there, on the same
 * carrier (its {@code runnext}), instead of from a ForkJoinPool worker through the shared queue: one
 * thread wake-up less per message. Killed (its scheduler closes), it closes the connection.
 *
 * <p><b>Writing from the sender.</b> A Preempt process that sends while nothing is queued or being
 * written writes its frame itself, as a BEAM process writes to its distribution port, instead of
 * handing it to the writer thread: one thread wake-up less per message each way, which is most of a
 * round trip on loopback. Order holds because both paths write under {@link #writing}, and the sender
 * writes only when {@link #pending} (frames queued, or taken by the writer and not yet written) is
 * zero and the queue empty under that lock: a frame the writer took off the queue is still pending until
 * it is written.
 * Only processes write through: a plain thread, and the reader above all (it answers links and
 * monitors from here), always queues, so that it never blocks on a peer that is not reading.
 *
 * <p>Thread contract: {@link #enqueue} from any thread; it never blocks outside a process (a process
 * may wait for the socket, as for any write); {@link #attach} and {@link #close} are synchronized and
 * idempotent.
 */
public final class Connection implements dev.preempt.dist.internal.jfr.DistJfr.Traffic {

    /** Wakes the writer when the connection closes. */
    private static final byte[] CLOSE = new byte[0];

    private final NodeEngine node;
    private final String peer;
    private final ConcurrentLinkedQueue<byte[]> out = new ConcurrentLinkedQueue<>();
    private final CountDownLatch settled = new CountDownLatch(1);
    private Socket socket;
    /** The reader process's thread: it queues what it sends, never writes itself (see the class comment). */
    private volatile Thread reader;
    /** The socket's output once attached; written under {@link #writing} only. */
    private volatile OutputStream stream;
    private final ReentrantLock writing = new ReentrantLock();
    /** Frames queued or taken by the writer and not yet written: a sender writes itself only at zero. */
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long peerFlags;
    private volatile boolean up;
    private volatile boolean closed;
    private volatile String downReason;
    private volatile boolean initiated;
    /** Traffic, ticks excluded. Each counter has one writer (the reader or the writer thread); others read racily. */
    private volatile long framesIn, bytesIn, framesOut, bytesOut;

    Connection(NodeEngine node, String peer) {
        this.node = node;
        this.peer = peer;
    }

    /**
     * The peer's node name.
     *
     * @return {@code alive@host}
     */
    public String peer() {
        return peer;
    }

    /**
     * Whether the handshake is done and the connection not closed.
     *
     * @return true while up
     */
    public boolean isUp() {
        return up && !closed;
    }

    /**
     * Whether the peer offered a capability flag.
     *
     * @param flag a {@link DistFlags} bit
     * @return true if offered (false before the handshake)
     */
    boolean peerHas(long flag) {
        return (peerFlags & flag) != 0;
    }

    /**
     * Queues a frame (dropped if the connection has closed). Never blocks.
     *
     * @param frame a whole frame, length first
     */
    public void enqueue(byte[] frame) {
        if (closed) return;
        if (stream != null && pending.get() == 0 && System.nanoTime() - lastWrite > STREAMING_NANOS
                && Thread.currentThread() != reader && dev.preempt.Preempt.inProcess() && writeThrough(frame)) {
            return;
        }
        // Queued, then counted: the writer decrements only for frames it took, so a count of zero before
        // ours means that it took everything and may be waiting. Counted first, the frame could come
        // after the writer's last look, with the count already nonzero and no kick (measured: one stall
        // of a quarter tick time per 200,000 messages). A count that dips below zero while it is written
        // first is harmless: nobody writes through unless it is zero and the queue is empty.
        out.add(frame);
        if (pending.getAndIncrement() == 0) kickWriter();
    }

    private void kickWriter() {
        Pid w = writer;
        if (w != null) Preempt.send(w, Kick.KICK);
    }

    /** A process, nothing pending: writes {@code frame} now if it gets the lock and still nothing is pending. */
    private boolean writeThrough(byte[] frame) {
        if (!writing.tryLock()) return false;
        try {
            OutputStream o = stream;
            // The queue must be empty too: pending dips below zero when the writer takes a frame that is
            // queued but not yet counted, and a sender whose own earlier frame was then queued with the count
            // back at zero wrote its next one first (ErlangInteropTest saw 672 arrive before 671, once in
            // about eight runs). Holding the lock, an empty queue means all earlier frames are written.
            if (pending.get() != 0 || !out.isEmpty() || closed || o == null) return false;
            write(o, frame);
            flush(o);
            return true;
        } catch (IOException e) {
            close("connection_closed");
            return true; // dropped with the connection, as a queued frame would be
        } finally {
            writing.unlock();
        }
    }

    /**
     * Waits until the connection is up or has failed.
     *
     * @param timeout how long to wait
     * @return true if up
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitUp(Duration timeout) throws InterruptedException {
        settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return isUp();
    }

    /**
     * Why it closed.
     *
     * @return the reason, or null while open
     */
    public String downReason() {
        return downReason;
    }

    /**
     * Takes a socket whose handshake succeeded and starts serving it.
     *
     * @param s the socket
     * @param in its buffered input
     * @param peerFlags the flags the peer offered
     * @param initiated whether this node connected (false: the peer did)
     * @return false if another socket was attached first or the connection has closed (the caller closes {@code s})
     */
    synchronized boolean attach(Socket s, DataInputStream in, long peerFlags, boolean initiated) {
        if (socket != null || closed) return false;
        this.socket = s;
        this.peerFlags = peerFlags;
        this.initiated = initiated;
        OutputStream o;
        try {
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, node.tickTime().toMillis()));
            o = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
        } catch (IOException e) {
            close("connection_closed");
            return true;
        }
        up = true;
        stream = o;
        node.scheduler().spawn(() -> readLoop(in)); // a process: see the class comment
        node.scheduler().spawn(() -> writeLoop(o));
        settled.countDown();
        node.nodeUp(this);
        return true;
    }

    private void readLoop(DataInputStream in) {
        reader = Thread.currentThread();
        String reason = "connection_closed";
        try {
            while (!closed) {
                int len = in.readInt();
                if (len == 0) continue; // a tick: the peer is alive, which the read itself proved
                if (len < 0) throw new IOException("frame length " + Integer.toUnsignedLong(len));
                byte[] f = in.readNBytes(len);
                if (f.length != len) throw new EOFException();
                framesIn++;
                bytesIn += 4 + len;
                node.inbound().dispatch(this, f);
            }
        } catch (SocketTimeoutException e) {
            reason = "net_tick_timeout";
        } catch (IOException e) {
            reason = "connection_closed";
        } catch (dev.preempt.ProcessExit e) { // the reader process was killed (its scheduler closes, say)
            close("connection_closed");
            throw e;
        } catch (RuntimeException | StackOverflowError e) { // a malformed frame, or a term nested too deep to decode
            reason = "protocol_error: " + e;
            System.getLogger("dev.preempt.dist").log(System.Logger.Level.WARNING, "closing the connection to " + peer + ": " + reason, e);
        }
        close(reason);
    }

    /**
     * The writer process: writes what is queued, up to 4,096 frames per flush, then waits for a kick
     * ({@link #enqueue} sends one when the queue stops being empty) or, after a quarter of the tick
     * time with nothing sent, writes a tick. It waits in Preempt's receive, not on the queue: a
     * process that wakes another from a JDK park yields at its next tick (SchedulerCore.submit, for
     * locks), and a streaming sender that woke the writer that way gave up its carrier at every frame,
     * one system call per message; a message's wake-up lets it run on to the end of its slice, and the
     * writer then sends all that came meanwhile at once.
     */
    private void writeLoop(OutputStream o) {
        writer = Preempt.self();
        Duration idle = Duration.ofMillis(Math.max(1, node.tickTime().toMillis() / 4));
        try {
            while (!closed) {
                int n = 0;
                writing.lock();
                try {
                    byte[] f;
                    while (n < 4096 && (f = out.poll()) != null) {
                        if (f == CLOSE) return;
                        write(o, f);
                        n++;
                    }
                    if (n > 0) {
                        flush(o);
                        pending.addAndGet(-n);
                    }
                } finally {
                    writing.unlock();
                }
                if (n > 0 || !out.isEmpty()) continue;
                if (Preempt.receive(idle).isEmpty() && !closed) tickIfIdle(o, idle);
            }
        } catch (IOException e) {
            close("connection_closed");
        } catch (dev.preempt.ProcessExit e) { // the writer process was killed (its scheduler closes, say)
            close("connection_closed");
            throw e;
        }
    }

    /** Nothing queued for a quarter of the tick time: a tick, unless a process wrote a frame meanwhile. */
    private void tickIfIdle(OutputStream o, Duration idle) throws IOException {
        writing.lock();
        try {
            if (System.nanoTime() - lastWrite >= idle.toNanos()) {
                o.write(Frames.TICK);
                o.flush();
            }
        } finally {
            writing.unlock();
        }
    }

    /** The writer process, once it runs; {@link #enqueue} kicks it. */
    private volatile Pid writer;

    /** What a kick is: any message wakes the writer. */
    private enum Kick { KICK }

    /**
     * When a frame last went out (nanoTime): for the tick, and to tell a stream from a trickle. Written
     * under {@link #writing}, read racily.
     */
    private volatile long lastWrite;

    /**
     * A frame that comes this soon after the last one is part of a stream: it is queued, so that the
     * writer sends many in one system call (measured, one sender to a Preempt peer: 657,000 messages/s
     * through the writer, 506,000 when every send wrote itself). A request-reply exchange has a round
     * trip between its frames, far longer.
     */
    private static final long STREAMING_NANOS = 20_000;

    private void write(OutputStream o, byte[] f) throws IOException {
        o.write(f);
        framesOut++;
        bytesOut += f.length;
    }

    /** Under {@link #writing}: what was written goes out; stamped once per flush, not per frame (a volatile store each). */
    private void flush(OutputStream o) throws IOException {
        o.flush();
        lastWrite = System.nanoTime();
    }

    /**
     * Whether a socket was ever attached (the handshake succeeded), closed since or not.
     *
     * @return true once it has been up
     */
    boolean wasUp() {
        return up;
    }

    /**
     * Whether this node opened the connection.
     *
     * @return true if it connected, false if the peer did
     */
    public boolean initiated() {
        return initiated;
    }

    @Override
    public String node() {
        return peer;
    }

    @Override
    public long framesIn() {
        return framesIn;
    }

    @Override
    public long framesOut() {
        return framesOut;
    }

    @Override
    public long bytesIn() {
        return bytesIn;
    }

    @Override
    public long bytesOut() {
        return bytesOut;
    }

    @Override
    public long queued() {
        return out.size();
    }

    /**
     * Closes the connection (idempotent): the socket goes, queued frames are dropped, the node hears of it.
     *
     * @param reason why (as Erlang says it: {@code connection_closed}, {@code net_tick_timeout}...)
     */
    public void close(String reason) {
        Socket s;
        synchronized (this) {
            if (closed) return;
            closed = true;
            downReason = reason;
            s = socket;
        }
        out.clear();
        out.add(CLOSE);
        kickWriter();
        settled.countDown();
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        node.connectionClosed(this, reason);
    }

    /**
     * Opens a socket's streams for the handshake and the reader.
     *
     * @param s the socket
     * @return its buffered input
     * @throws IOException if the socket is closed
     */
    static DataInputStream input(Socket s) throws IOException {
        return new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
    }

    @Override
    public String toString() {
        return "Connection[" + peer + (isUp() ? ", up" : closed ? ", down: " + downReason : ", connecting") + "]";
    }
}
