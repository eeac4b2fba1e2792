package dev.preempt.samples;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Lines of UTF-8 text ended by {@code '\n'} over a plain blocking {@link Socket}, read through a small
 * buffer of its own and written with one {@code write} each. {@link EchoServer} and {@link EchoLoad} hold
 * 10,000 of these at a time, so it keeps a few hundred bytes per connection where a
 * {@code BufferedReader} over an {@code InputStreamReader} keeps about 24 KB.
 */
final class LineSocket implements Closeable {

    /** A longer line is refused: the connection fails with an IOException. */
    static final int MAX_LINE = 64 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private byte[] buf = new byte[128];
    private int pos, lim;

    LineSocket(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** The next line without its {@code '\n'}, or null at the end of the stream (a partial last line is dropped). */
    String readLine() throws IOException {
        int scanned = pos;
        while (true) {
            for (int i = scanned; i < lim; i++) {
                if (buf[i] == '\n') {
                    String line = new String(buf, pos, i - pos, StandardCharsets.UTF_8);
                    pos = i + 1;
                    return line;
                }
            }
            if (pos > 0) { // keep the partial line at the start of the buffer
                System.arraycopy(buf, pos, buf, 0, lim - pos);
                lim -= pos;
                pos = 0;
            }
            scanned = lim;
            if (lim == buf.length) {
                if (buf.length >= MAX_LINE) throw new IOException("line longer than " + MAX_LINE + " bytes");
                buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            }
            int n = in.read(buf, lim, buf.length - lim);
            if (n < 0) return null;
            lim += n;
        }
    }

    void writeLine(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void setSoTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
