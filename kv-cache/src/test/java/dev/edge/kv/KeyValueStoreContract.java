package dev.edge.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link StoreBackend} must have. A backend's test extends this class and implements
 * {@link #newBackend}; it may override {@link #backendForApp} when one backend instance cannot serve two
 * applications (the SQLite file belongs to one app), and {@link #tearDownBackend} to stop external processes.
 *
 * <p>Tests talk to the raw backend stores (no {@link StoreLimits} decorator), so 1 MiB values are exercised
 * end to end.
 */
public abstract class KeyValueStoreContract {

    protected static final String APP = "app-one";
    protected static final String OTHER_APP = "app-two";
    protected static final String LABEL = "default";
    protected static final String OTHER_LABEL = "user_data";

    @TempDir
    protected Path tempDir;

    protected StoreBackend backend;
    protected KeyValueStore store;
    private final List<StoreBackend> extraBackends = new ArrayList<>();

    /** A fresh, empty backend. {@code tempDir} is private to this test. */
    protected abstract StoreBackend newBackend(Path tempDir) throws Exception;

    /**
     * The backend serving {@code appName}. The default shares {@link #backend} between apps; a backend that
     * binds to one application returns a separate instance (created with {@link #newBackend} on a sub dir).
     */
    protected StoreBackend backendForApp(String appName) throws Exception {
        return backend;
    }

    /** Called after {@link #backend} is closed; override to stop processes started by {@link #newBackend}. */
    protected void tearDownBackend() throws Exception {
    }

    /** Registers a backend created by a subclass so it is closed after the test. */
    protected StoreBackend track(StoreBackend extra) {
        extraBackends.add(extra);
        return extra;
    }

    @BeforeEach
    void openBackend() throws Exception {
        backend = newBackend(tempDir);
        store = backend.open(APP, LABEL);
    }

    @AfterEach
    void closeBackend() throws Exception {
        try {
            for (StoreBackend extra : extraBackends) {
                extra.close();
            }
            backend.close();
        } finally {
            tearDownBackend();
        }
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static String text(Optional<byte[]> value) {
        return new String(value.orElseThrow(), StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- get / set / delete / exists

    @Test
    void absentKeyIsEmptyAndDoesNotExist() {
        assertThat(store.get("missing")).isEmpty();
        assertThat(store.exists("missing")).isFalse();
    }

    @Test
    void setThenGetReturnsTheValue() {
        store.set("k", bytes("v1"));
        assertThat(text(store.get("k"))).isEqualTo("v1");
        assertThat(store.exists("k")).isTrue();
    }

    @Test
    void setIsAnUpsert() {
        store.set("k", bytes("first"));
        store.set("k", bytes("second, longer"));
        assertThat(text(store.get("k"))).isEqualTo("second, longer");
        store.set("k", bytes("x"));
        assertThat(text(store.get("k"))).isEqualTo("x");
        assertThat(store.getKeys()).containsExactly("k");
    }

    @Test
    void deleteRemovesTheKey() {
        store.set("k", bytes("v"));
        store.delete("k");
        assertThat(store.get("k")).isEmpty();
        assertThat(store.exists("k")).isFalse();
        assertThat(store.getKeys()).isEmpty();
    }

    @Test
    void deleteOfAbsentKeyIsNoError() {
        store.delete("never-set");
        store.set("k", bytes("v"));
        store.delete("k");
        store.delete("k");
        assertThat(store.exists("k")).isFalse();
    }

    @Test
    void emptyValueIsStoredAndDistinctFromAbsent() {
        store.set("empty", new byte[0]);
        assertThat(store.exists("empty")).isTrue();
        assertThat(store.get("empty")).hasValueSatisfying(v -> assertThat(v).isEmpty());
    }

    @Test
    void binaryValueWithAllByteValuesRoundTrips() {
        byte[] all = new byte[512];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i % 256);
        }
        store.set("bin", all);
        assertThat(store.get("bin")).hasValueSatisfying(v -> assertThat(v).isEqualTo(all));
        // NUL first and last must not truncate the value
        byte[] nulEdges = {0, 1, 2, (byte) 0xff, 0};
        store.set("nul", nulEdges);
        assertThat(store.get("nul")).hasValueSatisfying(v -> assertThat(v).isEqualTo(nulEdges));
    }

    @Test
    void oneMebibyteValueRoundTrips() {
        byte[] big = new byte[1024 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + (i >>> 8));
        }
        store.set("big", big);
        assertThat(store.get("big")).hasValueSatisfying(v -> assertThat(v).isEqualTo(big));
    }

    @Test
    void returnedValueIsNotAliasedWithStoredValue() {
        byte[] value = bytes("abc");
        store.set("k", value);
        value[0] = 'z';
        byte[] read = store.get("k").orElseThrow();
        assertThat(read).isEqualTo(bytes("abc"));
        read[1] = 'z';
        assertThat(store.get("k").orElseThrow()).isEqualTo(bytes("abc"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"héllo", "ключ", "鍵", "emoji-😀-key", "a:b:c", "{tag}", "{", "}", "*", "?", "[a-z]",
        "%", "100%", "_", "a_b", "key with spaces", "slash/and\\back", "'quote\"", "\t\n"})
    void specialAndUnicodeKeysAreStoredExactly(String key) {
        store.set("plain", bytes("other"));
        store.set(key, bytes("value of " + key));
        assertThat(text(store.get(key))).isEqualTo("value of " + key);
        assertThat(store.exists(key)).isTrue();
        assertThat(store.getKeys()).containsExactlyInAnyOrder("plain", key);
        store.delete(key);
        assertThat(store.exists(key)).isFalse();
        assertThat(store.getKeys()).containsExactly("plain");
    }

    @Test
    void globCharactersInKeysDoNotMatchOtherKeys() {
        store.set("a", bytes("1"));
        store.set("ab", bytes("2"));
        assertThat(store.exists("*")).isFalse();
        assertThat(store.exists("a?")).isFalse();
        assertThat(store.exists("a%")).isFalse();
        assertThat(store.exists("[a]")).isFalse();
        store.delete("*");
        store.delete("a%");
        assertThat(store.getKeys()).containsExactlyInAnyOrder("a", "ab");
    }

    // ---------------------------------------------------------------- getKeys / listKeys

    @Test
    void getKeysReturnsEveryKey() {
        assertThat(store.getKeys()).isEmpty();
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            store.set("key-" + i, bytes("v" + i));
            expected.add("key-" + i);
        }
        assertThat(store.getKeys()).containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * Every backend lists in Unicode code-point order (UTF-8 byte order, SQLite's BINARY collation), not
     * Java's UTF-16 order: U+E000 sorts before U+1F600 even though the emoji's first UTF-16 unit (0xD83D)
     * is smaller.
     */
    @Test
    void getKeysAndListKeysAreInCodePointOrder() {
        List<String> codePointOrder = List.of("", "a", "z", "\u00e9", "\ue000", "\ud83d\ude00", "\ud83d\ude00x");
        List<String> shuffled = new ArrayList<>(codePointOrder);
        java.util.Collections.shuffle(shuffled, new java.util.Random(7));
        for (String key : shuffled) {
            store.set(key, bytes("v"));
        }
        assertThat(store.getKeys()).containsExactlyElementsOf(codePointOrder);
        assertThat(store.listKeys("", null, 100).keys()).containsExactlyElementsOf(codePointOrder);
    }

    @Test
    void listKeysPaginatesEveryKeyExactlyOnce() {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 137; i++) {
            store.set("item:" + i, bytes("v"));
            expected.add("item:" + i);
        }
        store.set("other:1", bytes("v"));
        store.set("item", bytes("exactly the prefix without colon"));

        List<String> seen = collectAll("item:", 10);
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void listKeysWithEmptyPrefixListsAll() {
        for (int i = 0; i < 25; i++) {
            store.set("k" + i, bytes("v"));
        }
        List<String> seen = collectAll("", 7);
        assertThat(seen).doesNotHaveDuplicates().hasSize(25);
        assertThat(new HashSet<>(seen)).isEqualTo(new HashSet<>(store.getKeys()));
    }

    @Test
    void listKeysOnEmptyStoreEndsImmediately() {
        KeyValueStore.KeyPage page = store.listKeys("", null, 10);
        assertThat(page.keys()).isEmpty();
        assertThat(page.nextCursor()).isNull();
    }

    @Test
    void listKeysLastPageHasNullCursorAndRespectsLimit() {
        for (int i = 0; i < 5; i++) {
            store.set("p" + i, bytes("v"));
        }
        String cursor = null;
        int pages = 0;
        do {
            KeyValueStore.KeyPage page = store.listKeys("p", cursor, 2);
            assertThat(page.keys()).hasSizeLessThanOrEqualTo(2);
            cursor = page.nextCursor();
            pages++;
            assertThat(pages).as("pagination terminates").isLessThan(50);
        } while (cursor != null);
    }

    @Test
    void listKeysPrefixIsLiteralNotAWildcard() {
        store.set("100%", bytes("v"));
        store.set("100%x", bytes("v"));
        store.set("1000", bytes("v"));
        store.set("a_b", bytes("v"));
        store.set("axb", bytes("v"));
        store.set("a*", bytes("v"));
        store.set("ab", bytes("v"));
        store.set("[x]", bytes("v"));
        store.set("x", bytes("v"));
        store.set("a?", bytes("v"));
        store.set("a\\", bytes("v"));
        store.set("a\\b", bytes("v"));

        assertThat(collectAll("100%", 100)).containsExactlyInAnyOrder("100%", "100%x");
        assertThat(collectAll("a_", 100)).containsExactly("a_b");
        assertThat(collectAll("a*", 100)).containsExactly("a*");
        assertThat(collectAll("[x", 100)).containsExactly("[x]");
        assertThat(collectAll("a?", 100)).containsExactly("a?");
        assertThat(collectAll("a\\", 100)).containsExactlyInAnyOrder("a\\", "a\\b");
        assertThat(collectAll("%", 100)).isEmpty();
        assertThat(collectAll("_", 100)).isEmpty();
        assertThat(collectAll("*", 100)).isEmpty();
    }

    @Test
    void listKeysWithUnicodePrefix() {
        store.set("ключ-1", bytes("v"));
        store.set("ключ-2", bytes("v"));
        store.set("клюв", bytes("v"));
        store.set("😀a", bytes("v"));
        store.set("😀b", bytes("v"));
        store.set("😁", bytes("v"));
        store.set("\uFFFF", bytes("v"));
        store.set("\uFFFFz", bytes("v"));
        assertThat(collectAll("ключ", 1)).containsExactlyInAnyOrder("ключ-1", "ключ-2");
        assertThat(collectAll("😀", 1)).containsExactlyInAnyOrder("😀a", "😀b");
        assertThat(collectAll("\uFFFF", 1)).containsExactlyInAnyOrder("\uFFFF", "\uFFFFz");
    }

    @Test
    void listKeysSeesKeysWrittenBetweenPagesAfterTheCursor() {
        store.set("b", bytes("v"));
        store.set("d", bytes("v"));
        KeyValueStore.KeyPage first = store.listKeys("", null, 1);
        assertThat(first.keys()).hasSize(1);
        store.delete(first.keys().get(0));
        List<String> rest = new ArrayList<>(first.keys());
        String cursor = first.nextCursor();
        while (cursor != null) {
            KeyValueStore.KeyPage page = store.listKeys("", cursor, 1);
            rest.addAll(page.keys());
            cursor = page.nextCursor();
        }
        assertThat(rest).containsExactlyInAnyOrder("b", "d");
    }

    @Test
    void listKeysWithAForeignCursorFailsWithOther() {
        store.set("k", bytes("v"));
        assertThatThrownBy(() -> store.listKeys("", "!!not a cursor!!", 10))
                .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.kind()).isEqualTo(KvException.Kind.OTHER));
    }

    protected List<String> collectAll(String prefix, int limit) {
        List<String> all = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            KeyValueStore.KeyPage page = store.listKeys(prefix, cursor, limit);
            assertThat(page.keys()).hasSizeLessThanOrEqualTo(limit).allMatch(k -> k.startsWith(prefix));
            all.addAll(page.keys());
            cursor = page.nextCursor();
            assertThat(++pages).as("pagination terminates").isLessThan(10_000);
        } while (cursor != null);
        return all;
    }

    // ---------------------------------------------------------------- batches

    @Test
    void getManyLeavesOutAbsentKeys() {
        store.set("a", bytes("1"));
        store.set("c", bytes("3"));
        Map<String, byte[]> got = store.getMany(List.of("a", "b", "c"));
        assertThat(got).containsOnlyKeys("a", "c");
        assertThat(got.get("a")).isEqualTo(bytes("1"));
        assertThat(got.get("c")).isEqualTo(bytes("3"));
        assertThat(store.getMany(List.of())).isEmpty();
        assertThat(store.getMany(List.of("x", "y"))).isEmpty();
    }

    @Test
    void setManyWritesEveryEntryAndUpserts() {
        store.set("a", bytes("old"));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("a", bytes("new"));
        entries.put("b", bytes("2"));
        entries.put("c", new byte[0]);
        store.setMany(entries);
        assertThat(text(store.get("a"))).isEqualTo("new");
        assertThat(text(store.get("b"))).isEqualTo("2");
        assertThat(store.get("c")).hasValueSatisfying(v -> assertThat(v).isEmpty());
        store.setMany(Map.of());
        assertThat(store.getKeys()).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void deleteManyRemovesPresentAndIgnoresAbsent() {
        store.set("a", bytes("1"));
        store.set("b", bytes("2"));
        store.set("c", bytes("3"));
        store.deleteMany(List.of("a", "c", "zzz"));
        store.deleteMany(List.of());
        assertThat(store.getKeys()).containsExactly("b");
    }

    // ---------------------------------------------------------------- increment

    @Test
    void incrementOfAbsentKeyStartsAtZero() {
        assertThat(store.increment("n", 5)).isEqualTo(5);
        assertThat(store.increment("n", 1)).isEqualTo(6);
        assertThat(store.increment("zero", 0)).isEqualTo(0);
        assertThat(store.exists("zero")).isTrue();
    }

    @Test
    void incrementAcceptsNegativeDeltas() {
        assertThat(store.increment("n", -3)).isEqualTo(-3);
        assertThat(store.increment("n", 10)).isEqualTo(7);
        assertThat(store.increment("n", -7)).isEqualTo(0);
    }

    @Test
    void incrementValueIsADecimalStringVisibleViaGet() {
        store.increment("n", 42);
        assertThat(text(store.get("n"))).isEqualTo("42");
        store.increment("n", -50);
        assertThat(text(store.get("n"))).isEqualTo("-8");
    }

    @Test
    void incrementContinuesFromADecimalValueWrittenWithSet() {
        store.set("n", bytes("100"));
        assertThat(store.increment("n", 1)).isEqualTo(101);
        store.set("m", bytes("-9223372036854775807"));
        assertThat(store.increment("m", -1)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void incrementOfNonNumericValueFailsWithOther() {
        store.set("s", bytes("not a number"));
        assertThatThrownBy(() -> store.increment("s", 1))
                .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.kind()).isEqualTo(KvException.Kind.OTHER));
        assertThat(text(store.get("s"))).as("value untouched").isEqualTo("not a number");
        store.set("f", bytes("1.5"));
        assertThatThrownBy(() -> store.increment("f", 1)).isInstanceOf(KvException.class);
        store.set("e", new byte[0]);
        assertThatThrownBy(() -> store.increment("e", 1)).isInstanceOf(KvException.class);
    }

    @Test
    void incrementOverflowFailsWithOtherAndKeepsValue() {
        store.set("max", bytes(Long.toString(Long.MAX_VALUE)));
        assertThatThrownBy(() -> store.increment("max", 1))
                .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.kind()).isEqualTo(KvException.Kind.OTHER));
        assertThat(text(store.get("max"))).isEqualTo(Long.toString(Long.MAX_VALUE));
        store.set("min", bytes(Long.toString(Long.MIN_VALUE)));
        assertThatThrownBy(() -> store.increment("min", -1)).isInstanceOf(KvException.class);
        store.set("huge", bytes("99999999999999999999"));
        assertThatThrownBy(() -> store.increment("huge", 1)).isInstanceOf(KvException.class);
    }

    // ---------------------------------------------------------------- compare-and-swap

    @Test
    void casWithNullExpectedRequiresAbsentKey() {
        assertThat(store.compareAndSwap("k", null, bytes("first"))).isTrue();
        assertThat(text(store.get("k"))).isEqualTo("first");
        assertThat(store.compareAndSwap("k", null, bytes("second"))).isFalse();
        assertThat(text(store.get("k"))).isEqualTo("first");
    }

    @Test
    void casWithMismatchedExpectedFails() {
        store.set("k", bytes("current"));
        assertThat(store.compareAndSwap("k", bytes("stale"), bytes("new"))).isFalse();
        assertThat(text(store.get("k"))).isEqualTo("current");
        assertThat(store.compareAndSwap("absent", bytes("anything"), bytes("new"))).isFalse();
        assertThat(store.exists("absent")).isFalse();
    }

    @Test
    void casWithMatchingExpectedSwaps() {
        store.set("k", bytes("v1"));
        assertThat(store.compareAndSwap("k", bytes("v1"), bytes("v2"))).isTrue();
        assertThat(text(store.get("k"))).isEqualTo("v2");
        assertThat(store.compareAndSwap("k", bytes("v1"), bytes("v3"))).isFalse();
        assertThat(text(store.get("k"))).isEqualTo("v2");
    }

    @Test
    void casComparesBinaryAndEmptyValuesExactly() {
        store.set("k", new byte[0]);
        assertThat(store.compareAndSwap("k", null, bytes("x"))).as("empty is present, not absent").isFalse();
        assertThat(store.compareAndSwap("k", new byte[0], new byte[] {0, (byte) 0xff})).isTrue();
        assertThat(store.compareAndSwap("k", new byte[] {0, (byte) 0xfe}, bytes("y"))).isFalse();
        assertThat(store.compareAndSwap("k", new byte[] {0, (byte) 0xff}, bytes("y"))).isTrue();
        assertThat(text(store.get("k"))).isEqualTo("y");
    }

    // ---------------------------------------------------------------- isolation

    @Test
    void twoLabelsOfOneAppAreIsolated() {
        KeyValueStore other = backend.open(APP, OTHER_LABEL);
        store.set("shared", bytes("from default"));
        other.set("shared", bytes("from user_data"));
        other.set("only-other", bytes("x"));
        other.increment("counter", 5);

        assertThat(text(store.get("shared"))).isEqualTo("from default");
        assertThat(text(other.get("shared"))).isEqualTo("from user_data");
        assertThat(store.exists("only-other")).isFalse();
        assertThat(store.getKeys()).containsExactly("shared");
        assertThat(collectAll("", 10)).containsExactly("shared");
        assertThat(store.getMany(List.of("only-other", "counter"))).isEmpty();
        assertThat(store.increment("counter", 1)).isEqualTo(1);
        store.delete("only-other");
        store.deleteMany(List.of("shared"));
        assertThat(other.getKeys()).containsExactlyInAnyOrder("shared", "only-other", "counter");
    }

    @Test
    void twoAppsWithTheSameLabelAreIsolated() throws Exception {
        KeyValueStore otherApp = backendForApp(OTHER_APP).open(OTHER_APP, LABEL);
        store.set("shared", bytes("app one"));
        otherApp.set("shared", bytes("app two"));
        otherApp.set("secret", bytes("app two only"));

        assertThat(text(store.get("shared"))).isEqualTo("app one");
        assertThat(text(otherApp.get("shared"))).isEqualTo("app two");
        assertThat(store.exists("secret")).isFalse();
        assertThat(store.getKeys()).containsExactly("shared");
        assertThat(collectAll("s", 1)).containsExactly("shared");
        assertThat(store.compareAndSwap("secret", null, bytes("mine"))).isTrue();
        assertThat(text(otherApp.get("secret"))).isEqualTo("app two only");
        store.delete("shared");
        assertThat(text(otherApp.get("shared"))).isEqualTo("app two");
    }

    @Test
    void storesOpenedTwiceShareData() {
        KeyValueStore again = backend.open(APP, LABEL);
        store.set("k", bytes("v"));
        assertThat(text(again.get("k"))).isEqualTo("v");
    }

    // ---------------------------------------------------------------- concurrency

    protected int concurrencyThreads() {
        return 8;
    }

    protected int incrementsPerThread() {
        return 200;
    }

    @Test
    void concurrentIncrementsSumExactly() throws Exception {
        int threads = concurrencyThreads();
        int perThread = incrementsPerThread();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Long> observed = new CopyOnWriteArrayList<>();
        runConcurrently(threads, t -> {
            start.await();
            for (int i = 0; i < perThread; i++) {
                observed.add(store.increment("counter", 1));
            }
            return null;
        });
        long total = (long) threads * perThread;
        assertThat(store.increment("counter", 0)).isEqualTo(total);
        assertThat(text(store.get("counter"))).isEqualTo(Long.toString(total));
        // every intermediate value was handed out exactly once
        assertThat(observed).hasSize((int) total).doesNotHaveDuplicates().allMatch(v -> v >= 1 && v <= total);
    }

    @Test
    void concurrentCasRoundsHaveExactlyOneWinnerEach() throws Exception {
        int threads = Math.min(concurrencyThreads(), 6);
        int rounds = 40;
        store.set("cas", bytes("round-0"));
        CyclicBarrier barrier = new CyclicBarrier(threads);
        // winners[r] collects the ids of threads whose swap from round-r to round-(r+1) succeeded
        List<List<Integer>> winners = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            winners.add(new CopyOnWriteArrayList<>());
        }
        runConcurrently(threads, id -> {
            for (int r = 0; r < rounds; r++) {
                barrier.await(30, TimeUnit.SECONDS);
                byte[] expected = bytes("round-" + r);
                if (store.compareAndSwap("cas", expected, bytes("round-" + (r + 1) + "-by-" + id))) {
                    winners.get(r).add(id);
                }
                barrier.await(30, TimeUnit.SECONDS);
                // everyone moves the round marker on from the winner's value, exactly once (by thread 0)
                if (id == 0) {
                    String current = text(store.get("cas"));
                    assertThat(current).startsWith("round-" + (r + 1) + "-by-");
                    store.set("cas", bytes("round-" + (r + 1)));
                }
                barrier.await(30, TimeUnit.SECONDS);
            }
            return null;
        });
        for (int r = 0; r < rounds; r++) {
            assertThat(winners.get(r)).as("winners of round %d", r).hasSize(1);
        }
        assertThat(text(store.get("cas"))).isEqualTo("round-" + rounds);
    }

    @Test
    void concurrentCasIncrementLoopsLoseNoUpdate() throws Exception {
        int threads = Math.min(concurrencyThreads(), 6);
        int perThread = 50;
        store.set("v", bytes("0"));
        List<String> history = new CopyOnWriteArrayList<>();
        runConcurrently(threads, id -> {
            for (int i = 0; i < perThread; i++) {
                while (true) {
                    byte[] current = store.get("v").orElseThrow();
                    long next = Long.parseLong(new String(current, StandardCharsets.UTF_8)) + 1;
                    if (store.compareAndSwap("v", current, bytes(Long.toString(next)))) {
                        history.add(Long.toString(next));
                        break;
                    }
                }
            }
            return null;
        });
        int total = threads * perThread;
        assertThat(text(store.get("v"))).isEqualTo(Integer.toString(total));
        // each successful swap produced a distinct successor: no two winners swapped from the same value
        assertThat(history).hasSize(total).doesNotHaveDuplicates();
    }

    @FunctionalInterface
    protected interface ThreadBody {
        Void run(int threadId) throws Exception;
    }

    protected void runConcurrently(int threads, ThreadBody body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Callable<Void> task = () -> body.run(id);
                futures.add(pool.submit(task));
            }
            for (Future<Void> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void describeIsNotEmpty() {
        assertThat(backend.describe()).isNotBlank();
    }
}
