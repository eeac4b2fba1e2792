package dev.preempt.it.apps;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Processes adding documents to one shared Lucene {@code IndexWriter} in a loop that never calls the
 * runtime, killed at random while they index: a kill must land between two {@code addDocument} calls,
 * never inside Lucene. Thrown inside it (a lock inside {@code DocumentsWriterPerThread}, a segment flush
 * that lasts a second), or an interrupt seen by its {@code FileChannel} ({@code ClosedByInterruptException}
 * on {@code write.lock}), the writer closes itself as "tragic" and the index takes no more documents.
 * Prints whether the writer is still open, its tragic exception, and the documents a reader sees against
 * those the killed processes had added. {@code fs} indexes into a directory on disk, else into memory.
 */
public final class KillInIndexWriter {

    private KillInIndexWriter() {}

    private static final String[] WORDS = ("preempt process carrier budget tick yield mailbox monitor link "
            + "supervisor restart kill exit signal receive send spawn scheduler slice queue timer watchdog").split(" ");

    @Process
    public static void main(String[] args) throws Exception {
        int workers = 4, kills = Integer.parseInt(args[0]);
        boolean fs = args.length > 1 && args[1].equals("fs");
        Path path = fs ? Files.createTempDirectory("kill-in-index-writer") : null;
        Directory dir = fs ? FSDirectory.open(path) : new ByteBuffersDirectory();
        IndexWriterConfig config = new IndexWriterConfig(new StandardAnalyzer()).setRAMBufferSizeMB(4); // flushes often
        IndexWriter writer = new IndexWriter(dir, config);
        AtomicLong added = new AtomicLong();
        List<Pid> pids = new ArrayList<>();
        for (int i = 0; i < workers; i++) pids.add(indexer(writer, added));
        long worst = 0;
        for (int n = 0; n < kills && writer.isOpen(); n++) {
            Preempt.sleep(20 + n % 13);
            int i = ThreadLocalRandom.current().nextInt(workers);
            long t0 = System.nanoTime();
            kill(pids.get(i));
            worst = Math.max(worst, System.nanoTime() - t0);
            pids.set(i, indexer(writer, added));
        }
        for (Pid p : pids) kill(p);
        Throwable tragic = writer.getTragicException();
        boolean open = writer.isOpen();
        String committed = "no";
        long docs = -1;
        if (open) {
            writer.commit();
            committed = "yes";
            try (DirectoryReader reader = DirectoryReader.open(writer)) {
                docs = reader.numDocs();
            }
            writer.close();
        }
        dir.close();
        System.out.println("index kills=" + kills + " open=" + open + " committed=" + committed
                + " tragic=" + (tragic == null ? "none" : tragic.getClass().getSimpleName()) + " docs=" + docs
                + " added=" + added.get() + " worstKillMs=" + worst / 1_000_000);
        if (tragic != null) tragic.printStackTrace();
    }

    private static void kill(Pid victim) {
        var ref = Preempt.monitor(victim);
        Preempt.exit(victim, ExitReason.KILL);
        Preempt.receive(m -> m instanceof Down d && d.ref().equals(ref));
    }

    private static Pid indexer(IndexWriter writer, AtomicLong added) {
        return Preempt.spawn(() -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            while (true) {
                Document doc = new Document();
                doc.add(new StringField("id", Long.toString(r.nextLong()), Field.Store.YES));
                StringBuilder body = new StringBuilder();
                for (int w = 0; w < 40; w++) body.append(WORDS[r.nextInt(WORDS.length)]).append(r.nextInt(500)).append(' ');
                doc.add(new TextField("body", body.toString(), Field.Store.NO));
                try {
                    writer.addDocument(doc);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                added.incrementAndGet();
            }
        });
    }
}
