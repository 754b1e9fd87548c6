package dev.edge.kv.sqlite;

import dev.edge.kv.KeyValueStoreContract;
import dev.edge.kv.StoreBackend;
import java.nio.file.Path;

class SqliteStoreBackendTest extends KeyValueStoreContract {
    @Override
    protected StoreBackend newBackend(Path tempDir) {
        return SqliteStoreBackend.inStateDir(tempDir.resolve(".spin"), APP);
    }

    /** A SQLite file belongs to one app, so the second app gets its own state dir. */
    @Override
    protected StoreBackend backendForApp(String appName) {
        if (appName.equals(APP)) {
            return backend;
        }
        return track(SqliteStoreBackend.inStateDir(tempDir.resolve(appName), appName));
    }
}
