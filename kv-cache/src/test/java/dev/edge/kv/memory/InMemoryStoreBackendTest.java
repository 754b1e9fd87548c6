package dev.edge.kv.memory;

import dev.edge.kv.KeyValueStoreContract;
import dev.edge.kv.StoreBackend;
import java.nio.file.Path;

class InMemoryStoreBackendTest extends KeyValueStoreContract {
    @Override
    protected StoreBackend newBackend(Path tempDir) {
        return new InMemoryStoreBackend();
    }
}
