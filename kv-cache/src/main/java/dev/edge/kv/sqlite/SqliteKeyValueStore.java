package dev.edge.kv.sqlite;

import dev.edge.kv.Counters;
import dev.edge.kv.KeyCursors;
import dev.edge.kv.KeyValueStore;
import dev.edge.kv.KvException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One label ({@code store} column) of the SQLite file. Stateless apart from the label; cheap to create. */
final class SqliteKeyValueStore implements KeyValueStore {
    private static final String GET = "SELECT value FROM spin_key_value WHERE store = ? AND key = ?";
    private static final String EXISTS = "SELECT 1 FROM spin_key_value WHERE store = ? AND key = ?";
    private static final String UPSERT = "INSERT INTO spin_key_value (store, key, value) VALUES (?, ?, ?) "
            + "ON CONFLICT (store, key) DO UPDATE SET value = excluded.value";
    private static final String INSERT_IF_ABSENT = "INSERT INTO spin_key_value (store, key, value) VALUES (?, ?, ?) "
            + "ON CONFLICT (store, key) DO NOTHING";
    private static final String DELETE = "DELETE FROM spin_key_value WHERE store = ? AND key = ?";
    private static final String KEYS = "SELECT key FROM spin_key_value WHERE store = ? ORDER BY key";

    private final SqliteStoreBackend backend;
    private final String label;

    SqliteKeyValueStore(SqliteStoreBackend backend, String label) {
        this.backend = backend;
        this.label = label;
    }

    @Override
    public Optional<byte[]> get(String key) {
        return backend.withSession("get", session -> Optional.ofNullable(read(session, key)));
    }

    @Override
    public void set(String key, byte[] value) {
        backend.withWriteSession("set", session -> {
            write(session, UPSERT, key, value);
            return null;
        });
    }

    @Override
    public void delete(String key) {
        backend.withWriteSession("delete", session -> {
            remove(session, key);
            return null;
        });
    }

    @Override
    public boolean exists(String key) {
        return backend.withSession("exists", session -> {
            PreparedStatement select = session.prepare(EXISTS);
            select.setString(1, label);
            select.setString(2, key);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        });
    }

    @Override
    public List<String> getKeys() {
        return backend.withSession("get-keys", session -> {
            PreparedStatement select = session.prepare(KEYS);
            select.setString(1, label);
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
            return keys;
        });
    }

    @Override
    public KeyPage listKeys(String prefix, String cursor, int limit) {
        if (limit < 1) {
            throw new KvException(KvException.Kind.OTHER, "list-keys limit must be at least 1, was " + limit);
        }
        // keyset pagination ordered by key; the prefix is an index range, never a LIKE pattern
        String after = cursor == null ? null : KeyCursors.decode(cursor);
        String upper = PrefixRange.upperBound(prefix);
        String sql = "SELECT key FROM spin_key_value WHERE store = ? AND key >= ?"
                + (after == null ? "" : " AND key > ?")
                + (upper == null ? "" : " AND key < ?")
                + " ORDER BY key LIMIT ?";
        return backend.withSession("list-keys", session -> {
            PreparedStatement select = session.prepare(sql);
            int i = 1;
            select.setString(i++, label);
            select.setString(i++, prefix);
            if (after != null) {
                select.setString(i++, after);
            }
            if (upper != null) {
                select.setString(i++, upper);
            }
            select.setInt(i, limit + 1); // one extra row tells whether another page exists
            List<String> keys = new ArrayList<>(Math.min(limit, 1024) + 1);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
            if (keys.size() > limit) {
                List<String> page = keys.subList(0, limit);
                return new KeyPage(page, KeyCursors.encode(page.get(limit - 1)));
            }
            return new KeyPage(keys, null);
        });
    }

    @Override
    public Map<String, byte[]> getMany(List<String> keys) {
        return backend.inReadTransaction("get-many", session -> {
            Map<String, byte[]> found = new LinkedHashMap<>();
            for (String key : keys) {
                byte[] value = read(session, key);
                if (value != null) {
                    found.put(key, value);
                }
            }
            return found;
        });
    }

    @Override
    public void setMany(Map<String, byte[]> entries) {
        if (entries.isEmpty()) {
            return;
        }
        backend.inWriteTransaction("set-many", session -> {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                write(session, UPSERT, entry.getKey(), entry.getValue());
            }
            return null;
        });
    }

    @Override
    public void deleteMany(List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        backend.inWriteTransaction("delete-many", session -> {
            for (String key : keys) {
                remove(session, key);
            }
            return null;
        });
    }

    @Override
    public long increment(String key, long delta) {
        return backend.inWriteTransaction("increment", session -> {
            byte[] current = read(session, key);
            long next = Counters.add(key, current == null ? 0 : SpinCounters.decode(key, current), delta);
            write(session, UPSERT, key, Counters.encode(next));
            return next;
        });
    }

    @Override
    public boolean compareAndSwap(String key, byte[] expected, byte[] value) {
        if (expected == null) {
            // a single statement is atomic on its own
            return backend.withWriteSession("compare-and-swap", session -> write(session, INSERT_IF_ABSENT, key, value) == 1);
        }
        return backend.inWriteTransaction("compare-and-swap", session -> {
            byte[] current = read(session, key);
            if (current == null || !Arrays.equals(current, expected)) {
                return false;
            }
            write(session, UPSERT, key, value);
            return true;
        });
    }

    /** The value, or null if absent. */
    private byte[] read(SqliteSession session, String key) throws SQLException {
        PreparedStatement select = session.prepare(GET);
        select.setString(1, label);
        select.setString(2, key);
        try (ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            byte[] value = rs.getBytes(1);
            return value == null ? new byte[0] : value; // the driver reports a zero-length BLOB as null
        }
    }

    private int write(SqliteSession session, String sql, String key, byte[] value) throws SQLException {
        if (value == null) {
            throw new KvException(KvException.Kind.OTHER, "value must not be null");
        }
        PreparedStatement statement = session.prepare(sql);
        statement.setString(1, label);
        statement.setString(2, key);
        statement.setBytes(3, value);
        return statement.executeUpdate();
    }

    private void remove(SqliteSession session, String key) throws SQLException {
        PreparedStatement statement = session.prepare(DELETE);
        statement.setString(1, label);
        statement.setString(2, key);
        statement.executeUpdate();
    }
}
