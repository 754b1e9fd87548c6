package dev.edge.kv.sqlite;

import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import dev.edge.kv.StoreBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The embedded key-value store (Spin's {@code type = "spin"}): one SQLite file in Spin's exact schema, so a
 * {@code .spin/sqlite_key_value.db} written by {@code spin up} opens here and vice versa. The label is the
 * {@code store} column, as in Spin.
 *
 * <p><b>One file, one application.</b> Spin's table has no application column, so two applications sharing
 * a file would read and overwrite each other's keys. The first application to open a file is recorded in a
 * side table {@code edge_meta(name, value)} (Spin ignores it); opening the file for another application
 * fails with {@link IllegalStateException}.
 *
 * <p>Concurrency: WAL journal (readers never block the writer) and a small pool of connections each caching its
 * prepared statements. The writers of this backend take turns in a fair in-process queue ({@link #writeLock})
 * before they reach SQLite's one write lock, so they never wait on it through SQLite's busy handler (which
 * sleeps and retries, unfairly: a writer could lose for longer than any timeout and see SQLITE_BUSY). A
 * process should therefore open one backend per file (the gateway does). The busy timeout is left for the
 * writers of other processes, such as {@code edge kv} beside {@code edge up}.
 * Every write is committed (synchronous=FULL) before the method returns; increment and compare-and-swap run
 * in one {@code BEGIN IMMEDIATE} transaction.
 */
public final class SqliteStoreBackend implements StoreBackend {
    /** Spin's file name inside the state directory. */
    public static final String DEFAULT_FILE_NAME = "sqlite_key_value.db";
    /** Spin's schema, verbatim. */
    public static final String CREATE_TABLE_SQL = "CREATE TABLE IF NOT EXISTS spin_key_value ("
            + "store TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (store, key))";
    static final String CREATE_META_SQL =
            "CREATE TABLE IF NOT EXISTS edge_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)";
    static final String OWNER_META_NAME = "owner_app";

    public static final int DEFAULT_POOL_SIZE = 4;
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(SqliteStoreBackend.class);

    private final Path databaseFile;
    private final String appName;
    private final String jdbcUrl;
    private final SQLiteConfig config;
    private final ConcurrentLinkedQueue<SqliteSession> idle = new ConcurrentLinkedQueue<>();
    private final Semaphore permits;
    private final long borrowTimeoutMillis;
    /** One writer of this process at a time, in arrival order (see the class comment). */
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private volatile boolean closed;

    /** {@code <stateDir>/sqlite_key_value.db}, Spin's default location. */
    public static SqliteStoreBackend inStateDir(Path stateDir, String appName) {
        return new SqliteStoreBackend(stateDir.resolve(DEFAULT_FILE_NAME), appName);
    }

    public SqliteStoreBackend(Path databaseFile, String appName) {
        this(databaseFile, appName, DEFAULT_POOL_SIZE, DEFAULT_BUSY_TIMEOUT);
    }

    /**
     * Opens (creating if needed) {@code databaseFile} for {@code appName}; {@link #claim()} records the owner.
     *
     * @throws IllegalStateException if the file belongs to another application or cannot be opened
     */
    public SqliteStoreBackend(Path databaseFile, String appName, int poolSize, Duration busyTimeout) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
        }
        this.databaseFile = databaseFile.toAbsolutePath().normalize();
        this.appName = appName;
        this.jdbcUrl = "jdbc:sqlite:" + this.databaseFile;
        this.permits = new Semaphore(poolSize, true);
        // also the longest a writer queues behind this process's other writers
        this.borrowTimeoutMillis = Math.max(10_000, busyTimeout.toMillis() * 2);
        this.config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        config.setEncoding(SQLiteConfig.Encoding.UTF8);
        createParentDirectory();
        initializeAndCheckOwner();
        LOG.info("Opened key-value store {} for app '{}'", this.databaseFile, appName);
    }

    public Path databaseFile() {
        return databaseFile;
    }

    public String appName() {
        return appName;
    }

    @Override
    public KeyValueStore open(String requestingApp, String label) {
        if (closed) {
            throw new KvException(KvException.Kind.OTHER, "key-value store " + databaseFile + " is closed");
        }
        if (!appName.equals(requestingApp)) {
            throw new KvException(KvException.Kind.OTHER, "key-value store " + databaseFile
                    + " belongs to app '" + appName + "', not '" + requestingApp + "'");
        }
        return new SqliteKeyValueStore(this, label);
    }

    @Override
    public String describe() {
        return "sqlite " + databaseFile;
    }

    @Override
    public void close() {
        closed = true;
        SqliteSession session;
        while ((session = idle.poll()) != null) {
            session.close();
        }
    }

    private void createParentDirectory() {
        try {
            Path parent = databaseFile.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the directory of key-value store " + databaseFile
                    + ": " + e.getMessage(), e);
        }
    }

    /** Creates Spin's table and the meta table, and checks the owning application if one is recorded. */
    private void initializeAndCheckOwner() {
        ownerTransaction(false);
    }

    /**
     * Records this backend's application as the file's owner (if none is recorded yet). Called once the
     * application has loaded: a start that fails later must leave the file free for the next app.
     *
     * @throws IllegalStateException if another application claimed the file meanwhile
     */
    public void claim() {
        ownerTransaction(true);
    }

    private void ownerTransaction(boolean claim) {
        asWriter("claim", () -> {
            ownerTransactionAsWriter(claim);
            return null;
        });
    }

    private void ownerTransactionAsWriter(boolean claim) {
        try (SqliteSession session = newSession()) {
            session.execute("BEGIN IMMEDIATE");
            try {
                session.execute(CREATE_TABLE_SQL);
                session.execute(CREATE_META_SQL);
                String owner = readOwner(session);
                if (owner == null && claim) {
                    PreparedStatement insert = session.prepare("INSERT INTO edge_meta (name, value) VALUES (?, ?)");
                    insert.setString(1, OWNER_META_NAME);
                    insert.setString(2, appName);
                    insert.executeUpdate();
                } else if (owner != null && !owner.equals(appName)) {
                    throw new IllegalStateException("key-value store " + databaseFile + " belongs to app '" + owner
                            + "' (recorded in its edge_meta table), so app '" + appName + "' cannot use it: Spin's "
                            + "spin_key_value table has no app column and the two apps would see each other's keys. "
                            + "Give each app its own state directory or key_value_store path.");
                }
                session.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(session);
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open key-value store " + databaseFile + ": " + e.getMessage(), e);
        }
    }

    private static String readOwner(SqliteSession session) throws SQLException {
        PreparedStatement select = session.prepare("SELECT value FROM edge_meta WHERE name = ?");
        select.setString(1, OWNER_META_NAME);
        try (ResultSet rs = select.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private SqliteSession newSession() throws SQLException {
        Connection connection = DriverManager.getConnection(jdbcUrl, config.toProperties());
        return new SqliteSession(connection);
    }

    /** Told of every store operation (name, success, duration): how the gateway meters them without this module knowing. */
    @FunctionalInterface
    public interface OperationListener {
        OperationListener NONE = (operation, succeeded, nanos) -> { };

        void completed(String operation, boolean succeeded, long nanos);
    }

    private volatile OperationListener listener = OperationListener.NONE;

    /** From now on every operation is reported to {@code listener} (one at a time; this replaces the previous one). */
    public void onOperation(OperationListener listener) {
        this.listener = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** Work on one connection, reported to the {@link OperationListener}; SQLite errors become {@link KvException} OTHER. */
    <T> T withSession(String operation, SqlWork<T> work) {
        long start = System.nanoTime();
        boolean succeeded = false;
        try {
            T result = onSession(operation, work);
            succeeded = true;
            return result;
        } finally {
            listener.completed(operation, succeeded, System.nanoTime() - start);
        }
    }

    private <T> T onSession(String operation, SqlWork<T> work) {
        SqliteSession session = borrow(operation);
        // transactions are rolled back inside the work, so the connection stays reusable unless an Error hit
        boolean reusable = false;
        try {
            T result = work.run(session);
            reusable = true;
            return result;
        } catch (SQLException e) {
            reusable = true;
            throw KvException.other("sqlite " + operation + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            reusable = true;
            throw e;
        } finally {
            release(session, reusable);
        }
    }

    /** Work inside {@code BEGIN IMMEDIATE ... COMMIT}: atomic, and serialized against every other writer. */
    <T> T inWriteTransaction(String operation, SqlWork<T> work) {
        return asWriter(operation, () -> inTransaction(operation, "BEGIN IMMEDIATE", work));
    }

    /** One writing statement (atomic on its own), in this process's writer queue. */
    <T> T withWriteSession(String operation, SqlWork<T> work) {
        return asWriter(operation, () -> withSession(operation, work));
    }

    /** Runs {@code write} as this process's only writer, after the writers that queued before it. */
    private <T> T asWriter(String operation, java.util.function.Supplier<T> write) {
        try {
            if (!writeLock.tryLock(borrowTimeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new KvException(KvException.Kind.OTHER, "sqlite " + operation + ": the writers queued before it"
                        + " took more than " + borrowTimeoutMillis + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KvException.other("sqlite " + operation + " interrupted", e);
        }
        try {
            return write.get();
        } finally {
            writeLock.unlock();
        }
    }

    /** Work inside a read transaction, so several reads see one snapshot. */
    <T> T inReadTransaction(String operation, SqlWork<T> work) {
        return inTransaction(operation, "BEGIN", work);
    }

    private <T> T inTransaction(String operation, String begin, SqlWork<T> work) {
        return withSession(operation, session -> {
            session.execute(begin);
            try {
                T result = work.run(session);
                session.execute("COMMIT");
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(session);
                throw e;
            }
        });
    }

    private static void rollbackQuietly(SqliteSession session) {
        try {
            session.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // no transaction left to roll back (e.g. SQLite already rolled back on error)
        }
    }

    private SqliteSession borrow(String operation) {
        if (closed) {
            throw new KvException(KvException.Kind.OTHER, "key-value store " + databaseFile + " is closed");
        }
        try {
            if (!permits.tryAcquire(borrowTimeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new KvException(KvException.Kind.OTHER,
                        "sqlite " + operation + ": no connection free within " + borrowTimeoutMillis + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KvException.other("sqlite " + operation + " interrupted", e);
        }
        SqliteSession session = idle.poll();
        if (session != null) {
            return session;
        }
        try {
            return newSession();
        } catch (SQLException e) {
            permits.release();
            throw KvException.other("cannot open key-value store " + databaseFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private void release(SqliteSession session, boolean healthy) {
        if (healthy && !closed) {
            idle.add(session);
        } else {
            session.close();
        }
        permits.release();
        if (closed) {
            close(); // drain a session returned concurrently with close()
        }
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(SqliteSession session) throws SQLException;
    }
}
