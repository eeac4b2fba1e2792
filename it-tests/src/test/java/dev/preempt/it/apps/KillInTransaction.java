package dev.preempt.it.apps;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;
import dev.preempt.Supervisor;
import dev.preempt.Supervisor.ChildSpec;
import dev.preempt.Supervisor.Shutdown;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bank transfers over JDBC (H2 in memory, a HikariCP pool) by workers under a {@code one_for_all}
 * supervisor that kills them brutally, as a user's retry loop writes them: a transaction per transfer,
 * and an {@code SQLException} caught and the transfer tried again. Killed at random, every kill also
 * kills the siblings, whatever they are doing. A kill thrown inside H2 or Hikari (a lock in
 * {@code setAutoCommit} on the way back into the pool, a row update) left a table lock held by a dead
 * session or a connection that never came back to the pool; and an interrupt of a worker that was not
 * waiting made H2 fail its statement. Prints the total balance against the start, the pool's active
 * connections once all are stopped, and whether a last transaction over every row gets its locks.
 * {@code file} keeps the database in a file (its {@code FileChannel} sees interrupts), else in memory.
 * Optional third and fourth arguments: the number of tellers (4), and {@code forupdate} to lock both rows
 * with {@code select ... for update} before the two updates (more waits inside H2's row locks).
 */
public final class KillInTransaction {

    private KillInTransaction() {}

    static final int ACCOUNTS = 10, START = 1_000;

    @Process
    public static void main(String[] args) throws Exception {
        int kills = Integer.parseInt(args[0]);
        HikariConfig config = new HikariConfig();
        boolean file = args.length > 1 && args[1].equals("file");
        String db = file ? "file:" + java.nio.file.Files.createTempDirectory("kill-in-transaction").resolve("bank") : "mem:bank";
        config.setJdbcUrl("jdbc:h2:" + db + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=2000");
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(5_000);
        AtomicLong transfers = new AtomicLong(), retries = new AtomicLong();
        try (HikariDataSource pool = new HikariDataSource(config)) {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("create table account(id int primary key, balance bigint not null)");
                for (int i = 0; i < ACCOUNTS; i++) s.execute("insert into account values (" + i + ", " + START + ")");
            }
            List<ChildSpec> children = new ArrayList<>();
            int tellers = args.length > 2 ? Integer.parseInt(args[2]) : 4;
            boolean forUpdate = args.length > 3 && args[3].equals("forupdate");
            for (int i = 0; i < tellers; i++) {
                children.add(ChildSpec.worker("teller" + i, () -> transfers(pool, forUpdate, transfers, retries))
                        .shutdown(Shutdown.brutalKill()));
            }
            Pid sup = Supervisor.start(Supervisor.Flags.oneForAll().intensity(kills + 10, Duration.ofSeconds(60)), children);
            for (int n = 0; n < kills; n++) {
                Preempt.sleep(10 + n % 11);
                List<Supervisor.Child> alive = Supervisor.whichChildren(sup);
                var victim = alive.get(ThreadLocalRandom.current().nextInt(alive.size())).pid();
                if (victim.isEmpty()) continue;
                var ref = Preempt.monitor(victim.get());
                Preempt.exit(victim.get(), ExitReason.KILL);
                Preempt.receive(m -> m instanceof Down d && d.ref().equals(ref));
            }
            var ref = Preempt.monitor(sup);
            Supervisor.stop(sup);
            Preempt.receive(m -> m instanceof Down d && d.ref().equals(ref));
            long deadline = System.nanoTime() + 5_000_000_000L; // Hikari counts a connection back a little later
            while (pool.getHikariPoolMXBean().getActiveConnections() != 0 && System.nanoTime() < deadline) Preempt.sleep(10);
            int active = pool.getHikariPoolMXBean().getActiveConnections();
            long total = -1;
            String last;
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("update account set balance = balance"); // every row's lock, within LOCK_TIMEOUT
                    try (ResultSet rs = s.executeQuery("select sum(balance) from account")) {
                        rs.next();
                        total = rs.getLong(1);
                    }
                }
                c.commit();
                last = "ok";
            } catch (SQLException e) {
                last = e.getSQLState();
                e.printStackTrace();
            }
            System.out.println("bank kills=" + kills + " total=" + total + " expected=" + ACCOUNTS * START
                    + " active=" + active + " last=" + last + " transfers=" + transfers.get()
                    + " retries=" + retries.get() + " interrupted=" + INTERRUPTED.get());
        }
    }

    /** Statements that failed because an interrupt reached H2 or Hikari (a kill's, inside their code). */
    static final AtomicLong INTERRUPTED = new AtomicLong();

    /** Whether an interrupt caused {@code e}: an {@code InterruptedException} or an interrupted channel in its causes. */
    static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof java.nio.channels.ClosedByInterruptException) return true;
            if (t.getCause() == t) break;
        }
        return false;
    }

    static void transfers(HikariDataSource pool, boolean forUpdate, AtomicLong transfers, AtomicLong retries) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (true) {
            int from = r.nextInt(ACCOUNTS), to = (from + 1 + r.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                if (forUpdate) {
                    try (PreparedStatement lock = c.prepareStatement("select balance from account where id in (?, ?) for update")) {
                        lock.setInt(1, from);
                        lock.setInt(2, to);
                        try (ResultSet rs = lock.executeQuery()) {
                            while (rs.next()) rs.getLong(1);
                        }
                    } catch (SQLException e) {
                        c.rollback();
                        throw e;
                    }
                }
                try (PreparedStatement take = c.prepareStatement("update account set balance = balance - 1 where id = ?");
                     PreparedStatement give = c.prepareStatement("update account set balance = balance + 1 where id = ?")) {
                    take.setInt(1, from);
                    take.executeUpdate();
                    give.setInt(1, to);
                    give.executeUpdate();
                    c.commit();
                    transfers.incrementAndGet();
                } catch (SQLException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                retries.incrementAndGet(); // a lock timeout, a deadlock: the user's loop tries again
                if (interrupted(e)) INTERRUPTED.incrementAndGet();
            }
        }
    }
}
