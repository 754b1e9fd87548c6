package dev.edge.kv.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file on disk: Spin's location and schema, durability, interchangeability with Spin, one app per file. */
class SqliteFileCompatibilityTest {
    private static final String SPIN_SCHEMA = "CREATE TABLE spin_key_value (store TEXT NOT NULL, key TEXT NOT NULL, "
            + "value BLOB NOT NULL, PRIMARY KEY (store, key))";

    @TempDir
    Path stateDir;

    private Path dbFile() {
        return stateDir.resolve("sqlite_key_value.db");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Connection jdbc() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dbFile());
    }

    /** Runs the real sqlite3 CLI, as a user inspecting or preparing a Spin state dir would. */
    private String sqlite3(String sql) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("sqlite3", "-batch", dbFile().toString(), sql)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("sqlite3 output: %s", output).isZero();
        return output;
    }

    @Test
    void fileIsAtSpinsPathWithSpinsExactSchemaInWalMode() throws Exception {
        try (SqliteStoreBackend backend = SqliteStoreBackend.inStateDir(stateDir, "shop")) {
            assertThat(backend.databaseFile()).isEqualTo(dbFile().toAbsolutePath());
            assertThat(backend.describe()).isEqualTo("sqlite " + dbFile().toAbsolutePath());
            backend.open("shop", "default").set("k", bytes("v"));
            backend.claim();
        }
        assertThat(dbFile()).isRegularFile();
        try (Connection connection = jdbc(); Statement statement = connection.createStatement()) {
            try (ResultSet rs = statement.executeQuery(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'spin_key_value'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(SPIN_SCHEMA);
            }
            List<String> columns = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery("PRAGMA table_info(spin_key_value)")) {
                while (rs.next()) {
                    columns.add(rs.getString("name") + " " + rs.getString("type") + " notnull=" + rs.getInt("notnull")
                            + " pk=" + rs.getInt("pk"));
                }
            }
            assertThat(columns).containsExactly("store TEXT notnull=1 pk=1", "key TEXT notnull=1 pk=2",
                    "value BLOB notnull=1 pk=0");
            try (ResultSet rs = statement.executeQuery("PRAGMA journal_mode")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("wal");
            }
            try (ResultSet rs = statement.executeQuery(
                    "SELECT store, key, value, typeof(key), typeof(value) FROM spin_key_value")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("default");
                assertThat(rs.getString(2)).isEqualTo("k");
                assertThat(rs.getBytes(3)).isEqualTo(bytes("v"));
                assertThat(rs.getString(4)).isEqualTo("text");
                assertThat(rs.getString(5)).isEqualTo("blob");
                assertThat(rs.next()).isFalse();
            }
            try (ResultSet rs = statement.executeQuery("SELECT value FROM edge_meta WHERE name = 'owner_app'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("shop");
            }
        }
    }

    @Test
    void dataSurvivesCloseAndReopen() {
        try (SqliteStoreBackend backend = SqliteStoreBackend.inStateDir(stateDir, "shop")) {
            KeyValueStore store = backend.open("shop", "default");
            store.set("greeting", bytes("hello"));
            store.increment("visits", 41);
            backend.open("shop", "user_data").set("greeting", bytes("other label"));
        }
        try (SqliteStoreBackend backend = SqliteStoreBackend.inStateDir(stateDir, "shop")) {
            KeyValueStore store = backend.open("shop", "default");
            assertThat(store.get("greeting")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("hello")));
            assertThat(store.increment("visits", 1)).isEqualTo(42);
            assertThat(store.getKeys()).containsExactlyInAnyOrder("greeting", "visits");
            assertThat(backend.open("shop", "user_data").get("greeting"))
                    .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("other label")));
        }
    }

    @Test
    void aWriteThatReturnedIsVisibleToAnotherProcessAtOnce() throws Exception {
        try (SqliteStoreBackend backend = SqliteStoreBackend.inStateDir(stateDir, "shop")) {
            KeyValueStore store = backend.open("shop", "default");
            store.set("k", bytes("committed"));
            assertThat(sqlite3("SELECT CAST(value AS TEXT) FROM spin_key_value WHERE store='default' AND key='k'"))
                    .isEqualTo("committed");
            store.increment("n", 7);
            assertThat(sqlite3("SELECT CAST(value AS TEXT) FROM spin_key_value WHERE key='n'")).isEqualTo("7");
            store.delete("k");
            assertThat(sqlite3("SELECT count(*) FROM spin_key_value WHERE key='k'")).isEqualTo("0");
        }
    }

    @Test
    void aFileWrittenBySpinsSchemaWithTheSqlite3CliIsReadable() throws Exception {
        Files.createDirectories(stateDir);
        sqlite3("CREATE TABLE IF NOT EXISTS spin_key_value (store TEXT NOT NULL, key TEXT NOT NULL, "
                + "value BLOB NOT NULL, PRIMARY KEY (store, key));"
                + "INSERT INTO spin_key_value VALUES ('default', 'hello', X'776f726c64');"
                + "INSERT INTO spin_key_value VALUES ('default', 'binary', X'00ff0080');"
                // Spin's SQLite store keeps counters as 8-byte little-endian i64: 5
                + "INSERT INTO spin_key_value VALUES ('default', 'spin-counter', X'0500000000000000');"
                // -2 as little-endian i64
                + "INSERT INTO spin_key_value VALUES ('default', 'negative', X'feffffffffffffff');"
                + "INSERT INTO spin_key_value VALUES ('other', 'hello', X'6e6f');");
        try (SqliteStoreBackend backend = SqliteStoreBackend.inStateDir(stateDir, "tutorial")) {
            KeyValueStore store = backend.open("tutorial", "default");
            assertThat(store.get("hello")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("world")));
            assertThat(store.get("binary")).hasValueSatisfying(
                    v -> assertThat(v).isEqualTo(new byte[] {0, (byte) 0xff, 0, (byte) 0x80}));
            assertThat(store.getKeys()).containsExactlyInAnyOrder("hello", "binary", "spin-counter", "negative");
            assertThat(store.increment("spin-counter", 1)).isEqualTo(6);
            assertThat(store.get("spin-counter")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("6")));
            assertThat(store.increment("negative", 0)).isEqualTo(-2);
            store.set("from-edge", bytes("hi spin"));
        }
        assertThat(sqlite3("SELECT hex(value) FROM spin_key_value WHERE store='default' AND key='from-edge'"))
                .isEqualTo("6869207370696E");
        assertThat(sqlite3("SELECT CAST(value AS TEXT) FROM spin_key_value WHERE store='other'")).isEqualTo("no");
    }

    @Test
    void anEightByteDecimalStringIsDecimalNotLittleEndian() {
        try (SqliteStoreBackend backend = SqliteStoreBackend.inStateDir(stateDir, "shop")) {
            KeyValueStore store = backend.open("shop", "default");
            store.set("n", bytes("12345678"));
            assertThat(store.increment("n", 1)).isEqualTo(12_345_679);
            store.set("m", bytes("-1234567"));
            assertThat(store.increment("m", 0)).isEqualTo(-1_234_567);
            store.set("junk", bytes("seven"));
            assertThatThrownBy(() -> store.increment("junk", 1)).isInstanceOf(KvException.class);
        }
    }

    @Test
    void anUnclaimedFileIsFreeForAnotherApp() {
        // opened by an app whose start then failed: it never claimed the file
        try (SqliteStoreBackend failed = SqliteStoreBackend.inStateDir(stateDir, "broken")) {
            assertThat(failed.databaseFile()).exists();
        }
        try (SqliteStoreBackend next = SqliteStoreBackend.inStateDir(stateDir, "shop")) {
            next.claim();
        }
        assertThatThrownBy(() -> SqliteStoreBackend.inStateDir(stateDir, "broken"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("belongs to app 'shop'");
    }

    @Test
    void aSecondAppCannotUseTheSameFile() {
        try (SqliteStoreBackend backend = SqliteStoreBackend.inStateDir(stateDir, "shop")) {
            backend.claim();
            backend.open("shop", "default").set("secret", bytes("shop's"));
            assertThatThrownBy(() -> backend.open("blog", "default"))
                    .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.kind()).isEqualTo(KvException.Kind.OTHER))
                    .hasMessageContaining("belongs to app 'shop', not 'blog'");
            // refused while the owner has it open, and after it closed
            assertThatThrownBy(() -> SqliteStoreBackend.inStateDir(stateDir, "blog"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(dbFile().toAbsolutePath().toString())
                    .hasMessageContaining("belongs to app 'shop'")
                    .hasMessageContaining("'blog' cannot use it");
        }
        assertThatThrownBy(() -> SqliteStoreBackend.inStateDir(stateDir, "blog"))
                .isInstanceOf(IllegalStateException.class);
        try (SqliteStoreBackend owner = SqliteStoreBackend.inStateDir(stateDir, "shop")) {
            assertThat(owner.open("shop", "default").get("secret")).isPresent();
        }
    }

    @Test
    void twoBackendsOnOneFileIncrementAtomically() throws Exception {
        try (SqliteStoreBackend first = SqliteStoreBackend.inStateDir(stateDir, "shop");
                SqliteStoreBackend second = SqliteStoreBackend.inStateDir(stateDir, "shop")) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    KeyValueStore store = (t % 2 == 0 ? first : second).open("shop", "default");
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 100; i++) {
                            store.increment("shared", 1);
                        }
                    }));
                }
                for (Future<?> future : futures) {
                    future.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(first.open("shop", "default").increment("shared", 0)).isEqualTo(400);
        }
    }

    @Test
    void aForeignCursorIsOther() {
        try (SqliteStoreBackend backend = SqliteStoreBackend.inStateDir(stateDir, "shop")) {
            KeyValueStore store = backend.open("shop", "default");
            assertThatThrownBy(() -> store.listKeys("", "not base64!", 10))
                    .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.kind()).isEqualTo(KvException.Kind.OTHER))
                    .hasMessageContaining("cursor");
        }
    }

    @Test
    void aClosedBackendRefusesWork() {
        SqliteStoreBackend backend = SqliteStoreBackend.inStateDir(stateDir, "shop");
        KeyValueStore store = backend.open("shop", "default");
        backend.close();
        assertThatThrownBy(() -> store.get("k")).isInstanceOf(KvException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> backend.open("shop", "default")).isInstanceOf(KvException.class);
    }

    @Test
    void theStateDirectoryIsCreated() {
        Path nested = stateDir.resolve("a/b/.spin");
        try (SqliteStoreBackend backend = SqliteStoreBackend.inStateDir(nested, "shop")) {
            backend.open("shop", "default").set("k", bytes("v"));
        }
        assertThat(nested.resolve("sqlite_key_value.db")).isRegularFile();
    }
}
