package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RuntimeConfigLoaderTest {
    @TempDir Path dir;
    Path file;
    Path stateDir;

    @BeforeEach
    void setUp() {
        file = dir.resolve("config/runtime-config.toml");
        stateDir = dir.resolve(".spin");
    }

    RuntimeConfig load(String toml) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, toml);
        return RuntimeConfigLoader.load(file, stateDir);
    }

    @Test
    void noFileDefinesOnlyTheDefaultStoreInTheStateDir() {
        RuntimeConfig rc = RuntimeConfigLoader.load(null, stateDir);
        assertThat(rc.keyValueStores()).containsOnlyKeys("default");
        assertThat(rc.store("default")).contains(new KvStoreConfig.Spin(Optional.of(stateDir.resolve("sqlite_key_value.db"))));
        assertThat(rc.keyValueLimits()).isEqualTo(KeyValueLimits.DEFAULTS);
        // Like spin up: no key-value rate quotas unless the operator asks for them; size limits stay.
        assertThat(rc.keyValueLimits().readsLimited()).isFalse();
        assertThat(rc.keyValueLimits().writesLimited()).isFalse();
        assertThat(rc.keyValueLimits().maxKeyBytes()).isEqualTo(8192);
        assertThat(rc.keyValueLimits().maxValueBytes()).isEqualTo(1048576);
    }

    @Test
    void emptyFileStillDefinesDefault() throws Exception {
        RuntimeConfig rc = load("");
        assertThat(rc.store("default")).contains(RuntimeConfig.defaultStore(stateDir));
    }

    @Test
    void spinStoreWithRelativePathResolvesAgainstTheConfigDirectory() throws Exception {
        RuntimeConfig rc = load("""
                [key_value_store.default]
                type = "spin"
                path = "data/kv.db"
                """);
        assertThat(rc.store("default")).contains(new KvStoreConfig.Spin(Optional.of(dir.resolve("config/data/kv.db"))));
    }

    @Test
    void spinStoreWithAbsolutePath() throws Exception {
        Path abs = dir.resolve("elsewhere/kv.db");
        RuntimeConfig rc = load("[key_value_store.cache]\ntype = \"spin\"\npath = \"" + abs + "\"\n");
        assertThat(rc.store("cache")).contains(new KvStoreConfig.Spin(Optional.of(abs)));
        assertThat(rc.hasStore("default")).isTrue();
    }

    @Test
    void spinStoreWithoutPathUsesTheStateDirFile() throws Exception {
        RuntimeConfig rc = load("[key_value_store.other]\ntype = \"spin\"\n");
        assertThat(rc.store("other")).contains(RuntimeConfig.defaultStore(stateDir));
    }

    @Test
    void redisStoreWithDefaults() throws Exception {
        RuntimeConfig rc = load("""
                [key_value_store.user_data]
                type = "redis"
                url = "redis://localhost:6379"
                """);
        assertThat(rc.store("user_data")).contains(KvStoreConfig.Redis.withDefaults(URI.create("redis://localhost:6379")));
        assertThat(rc.keyValueStores()).containsOnlyKeys("default", "user_data");
    }

    @Test
    void redisStoreWithEveryExtension() throws Exception {
        RuntimeConfig rc = load("""
                [key_value_store.default]
                type = "redis"
                url = "rediss://app:s3cret@primary.example:6380/2"
                replica_url = "redis://replica.eu-west:6379"
                region = "eu-west"
                near_cache_max_entries = 5000
                near_cache_max_ttl = "500ms"
                command_timeout = "250ms"
                atomic_timeout = "1s"
                wait_replicas = 1
                wait_timeout = "100ms"
                """);
        assertThat(rc.store("default")).contains(new KvStoreConfig.Redis(
                URI.create("rediss://app:s3cret@primary.example:6380/2"),
                Optional.of(URI.create("redis://replica.eu-west:6379")), "eu-west", 5000,
                Duration.ofMillis(500), Duration.ofMillis(250), Duration.ofSeconds(1), 1, Duration.ofMillis(100)));
    }

    @Test
    void redisSentinelUrlNamesTheSentinelsAndTheMaster() throws Exception {
        RuntimeConfig rc = load("""
                [key_value_store.default]
                type = "redis"
                url = "redis-sentinel://:s3cret@127.0.0.1:26379,127.0.0.1:26380,localhost/mymaster/3"
                """);
        KvStoreConfig.Redis redis = (KvStoreConfig.Redis) rc.store("default").orElseThrow();
        RedisSentinelUrl sentinel = RedisSentinelUrl.parse(redis.url());
        assertThat(sentinel.sentinels()).containsExactly(new RedisSentinelUrl.HostPort("127.0.0.1", 26379),
                new RedisSentinelUrl.HostPort("127.0.0.1", 26380), new RedisSentinelUrl.HostPort("localhost", 26379));
        assertThat(sentinel.masterName()).isEqualTo("mymaster");
        assertThat(sentinel.password()).contains("s3cret");
        assertThat(sentinel.database()).isEqualTo(3);
        assertThat(sentinel.toString()).doesNotContain("s3cret");
        assertThat(redis.toString()).doesNotContain("s3cret").contains("redis-sentinel://***@127.0.0.1:26379");
    }

    @Test
    void nearCacheCanBeDisabled() throws Exception {
        RuntimeConfig rc = load("[key_value_store.x]\ntype = \"redis\"\nurl = \"redis://h:1\"\nnear_cache_max_entries = 0\n");
        assertThat(((KvStoreConfig.Redis) rc.store("x").orElseThrow()).nearCacheEnabled()).isFalse();
    }

    @Test
    void keyValueLimits() throws Exception {
        RuntimeConfig rc = load("""
                [key_value_limits]
                read_rps = 2000
                write_rps = 0
                max_key_bytes = 256
                max_value_bytes = 2097152
                """);
        assertThat(rc.keyValueLimits()).isEqualTo(new KeyValueLimits(2000, 0, 256, 2 * 1024 * 1024));
        assertThat(rc.keyValueLimits().writesLimited()).isFalse();
    }

    @Test
    void keyValueLimitsDefaultsForOmittedFields() throws Exception {
        RuntimeConfig rc = load("[key_value_limits]\nwrite_rps = 10\n");
        assertThat(rc.keyValueLimits()).isEqualTo(new KeyValueLimits(0, 10, 8192, 1048576));
    }

    @Test
    void missingFileIsAClearError() {
        assertThatThrownBy(() -> RuntimeConfigLoader.load(dir.resolve("nope.toml"), stateDir))
                .isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("nope.toml") + ": runtime config file not found");
    }

    static Stream<Arguments> rejected() {
        String redis = "[key_value_store.r]\ntype = \"redis\"\nurl = \"redis://localhost:6379\"\n";
        return Stream.of(
                row("unknown top-level table", "[sqlite_database.default]\ntype = \"spin\"\n",
                        "sqlite_database", "unknown field 'sqlite_database'"),
                row("store without type", "[key_value_store.x]\npath = \"a.db\"\n",
                        "key_value_store.x.type", "missing required field"),
                row("unsupported store type", "[key_value_store.x]\ntype = \"azure_cosmos\"\n",
                        "key_value_store.x.type", "unsupported key_value_store type 'azure_cosmos' (expected spin, redis or memory)"),
                row("bad label", "[key_value_store.\"my store\"]\ntype = \"spin\"\n",
                        "key_value_store.\"my store\"", "label 'my store' must be kebab-case or snake_case"),
                row("store given as a string", "key_value_store = { x = \"spin\" }\n",
                        "key_value_store.x", "expected a table, found a string"),
                row("spin store unknown field", "[key_value_store.x]\ntype = \"spin\"\nurl = \"redis://h\"\n",
                        "key_value_store.x.url", "unknown field 'url'"),
                row("spin store empty path", "[key_value_store.x]\ntype = \"spin\"\npath = \"\"\n",
                        "key_value_store.x.path", "must not be empty"),
                row("spin store path is a directory", "[key_value_store.x]\ntype = \"spin\"\npath = \".\"\n",
                        "key_value_store.x.path", "{dir}/config is a directory; give a database file path"),
                row("redis without url", "[key_value_store.r]\ntype = \"redis\"\n",
                        "key_value_store.r.url", "missing required field"),
                row("redis unknown field", redis + "pool_size = 4\n",
                        "key_value_store.r.pool_size", "unknown field 'pool_size'"),
                row("redis http url", "[key_value_store.r]\ntype = \"redis\"\nurl = \"http://localhost:6379\"\n",
                        "key_value_store.r.url", "URL 'http://localhost:6379' must use the redis:// or rediss:// scheme"),
                row("redis url without host", "[key_value_store.r]\ntype = \"redis\"\nurl = \"redis:///0\"\n",
                        "key_value_store.r.url", "invalid URL: no valid host (expected redis[s]://[user:password@]host[:port][/db])"),
                row("redis url that does not parse", "[key_value_store.r]\ntype = \"redis\"\nurl = \"redis://a b:1\"\n",
                        "key_value_store.r.url", "invalid URL: Illegal character in authority at character 9 (expected redis[s]://[user:password@]host[:port][/db])"),
                row("redis url with a non-numeric database", redis.replace("6379", "6379/users"),
                        "key_value_store.r.url", "URL 'redis://localhost:6379/users' path must be a database number such as /0"),
                row("redis replica url bad scheme", redis + "replica_url = \"tcp://replica:6379\"\n",
                        "key_value_store.r.replica_url", "URL 'tcp://replica:6379' must use the redis:// or rediss:// scheme"),
                row("sentinel url without master name", "[key_value_store.r]\ntype = \"redis\"\nurl = \"redis-sentinel://h1:26379,h2:26380\"\n",
                        "key_value_store.r.url", "invalid sentinel URL 'redis-sentinel://h1:26379,h2:26380': path must be /<master-name> "
                                + "or /<master-name>/<db>, the master name made of A-Z a-z 0-9 . _ - "
                                + "(expected redis-sentinel://[[user]:password@]host:port[,host:port...]/<master-name>[/db])"),
                row("sentinel url with a bad port", "[key_value_store.r]\ntype = \"redis\"\nurl = \"redis-sentinel://h1:26379,h2:x/m\"\n",
                        "key_value_store.r.url", "invalid sentinel URL 'redis-sentinel://h1:26379,h2:x/m': sentinel 'h2:x' has an invalid port "
                                + "(expected redis-sentinel://[[user]:password@]host:port[,host:port...]/<master-name>[/db])"),
                row("sentinel url as replica url", redis + "replica_url = \"redis-sentinel://h1:26379/m\"\n",
                        "key_value_store.r.replica_url", "URL 'redis-sentinel://h1:26379/m' must use the redis:// or rediss:// scheme"),
                row("redis bad region", redis + "region = \"eu west\"\n",
                        "key_value_store.r.region", "region must be 1-64 letters, digits, '.', '_' or '-'"),
                row("negative near cache size", redis + "near_cache_max_entries = -1\n",
                        "key_value_store.r.near_cache_max_entries", "must be between 0 (disabled) and 100000000"),
                row("near cache size as a string", redis + "near_cache_max_entries = \"10\"\n",
                        "key_value_store.r.near_cache_max_entries", "expected an integer, found a string"),
                row("duration without unit", redis + "near_cache_max_ttl = \"30\"\n",
                        "key_value_store.r.near_cache_max_ttl", "invalid duration '30'; expected a number followed by ms, s, m or h (e.g. \"500ms\", \"30s\")"),
                row("duration as an integer", redis + "command_timeout = 30\n",
                        "key_value_store.r.command_timeout", "expected a string, found an integer"),
                row("zero duration", redis + "atomic_timeout = \"0s\"\n",
                        "key_value_store.r.atomic_timeout", "must be greater than 0"),
                row("duration too long", redis + "command_timeout = \"10m\"\n",
                        "key_value_store.r.command_timeout", "must be at most 300s"),
                row("too many wait replicas", redis + "wait_replicas = 100\n",
                        "key_value_store.r.wait_replicas", "must be between 0 (do not wait) and 64"),
                row("wait timeout not below command timeout", redis + "wait_replicas = 1\ncommand_timeout = \"1s\"\nwait_timeout = \"1s\"\n",
                        "key_value_store.r.wait_timeout", "must be shorter than command_timeout (1s)"),
                row("limits unknown field", "[key_value_limits]\nmax_keys = 10\n",
                        "key_value_limits.max_keys", "unknown field 'max_keys'"),
                row("negative read rps", "[key_value_limits]\nread_rps = -5\n",
                        "key_value_limits.read_rps", "must be between 0 and 10000000"),
                row("zero key size", "[key_value_limits]\nmax_key_bytes = 0\n",
                        "key_value_limits.max_key_bytes", "must be between 1 and 1048576"),
                row("syntax error", "[key_value_store.x\n",
                        "", "invalid TOML at line 1, column 19: Unexpected end of line, expected ]"));
    }

    private static Arguments row(String name, String toml, String field, String reason) {
        return Arguments.of(Named.of(name, toml), field, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void isRejectedWithExactMessage(String toml, String field, String reason) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(toml));
        assertThat(e).as("runtime config must be rejected:%n%s", toml).isNotNull();
        Path f = file.toAbsolutePath().normalize();
        String r = reason.replace("{dir}", dir.toAbsolutePath().normalize().toString());
        assertThat(e.getMessage()).isEqualTo(f + ": " + (field.isEmpty() ? "" : field + ": ") + r);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://user:hunter2@localhost:6379",           // wrong scheme
            "redis://user:hunter2@ho st:6379",              // does not parse
            "redis://user:hunter2@:6379",                   // no host
            "redis://user:hunter2@host:6379/notadb",        // bad path
            "redis://user:hunter2@host:6379?x=1",           // query
            "redis://:hunter2@host:6379/a b",               // password only, unparseable
            "redis://user:hun/ter2@host:6379/x",            // '/' inside the password
            "redis://user:hunter2@ho_st:6379",              // registry-based authority: no host
            "http://user:hunter2@ho_st:6379",               // wrong scheme and no host
            "redis://user:hunter2localhost:6379",           // '@' missing: the password is still in there
            "redis-sentinel://:hunter2@h1:26379,h2:0/m",    // sentinel with a bad port
            "redis-sentinel://user:hunter2@h1:26379/",      // sentinel without master name
            "redis-sentinel://:hunter2@h1:26379/m?x=1",     // sentinel with a query
    })
    void errorsNeverContainTheRedisPassword(String url) {
        for (String key : new String[] {"url", "replica_url"}) {
            String toml = key.equals("url")
                    ? "[key_value_store.r]\ntype = \"redis\"\nurl = \"" + url + "\"\n"
                    : "[key_value_store.r]\ntype = \"redis\"\nurl = \"redis://ok:6379\"\nreplica_url = \"" + url + "\"\n";
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(toml));
            assertThat(e).as(url).isNotNull();
            assertThat(e.getMessage()).contains("key_value_store.r." + key)
                    .doesNotContain("hunter2").doesNotContain("hun/ter2").doesNotContain("ter2");
        }
    }

    /** A URL with credentials in the wrong field (the fuzz moves lines) is echoed by that field's error, redacted. */
    @ParameterizedTest
    @ValueSource(strings = {
            "[key_value_store.r]\ntype = \"redis://user:hunter2@localhost:6379/0\"\n",
            "[listener]\nmin_tls_version = \"redis://user:hunter2@localhost:6379/0\"\n",
            "[listener]\nmin_tls_version = \"redis://user:hun/ter2@localhost:6379/0\"\n",
    })
    void aUrlInAnotherFieldIsEchoedWithoutItsPassword(String toml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(toml));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("ter2").contains("redis://***@localhost:6379/0");
        assertThat(e.reason()).doesNotContain("ter2");
    }

    @Test
    void redisToStringRedactsPasswords() throws Exception {
        RuntimeConfig rc = load("""
                [key_value_store.r]
                type = "redis"
                url = "redis://app:hunter2@primary:6379"
                replica_url = "redis://app:hunter2@replica:6379"
                """);
        assertThat(rc.toString()).doesNotContain("hunter2").contains("redis://***@primary:6379", "redis://***@replica:6379");
        assertThat(KvStoreConfig.Redis.redact(URI.create("redis://app:hunter2@h:1/0"))).isEqualTo("redis://***@h:1/0");
        assertThat(KvStoreConfig.Redis.redact(URI.create("redis://h:1"))).isEqualTo("redis://h:1");
    }
}
