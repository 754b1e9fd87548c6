package dev.edge.kv.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DirtyKeysTest {

    @Test
    void aKeyIsDirtyFromBeforeItsWriteUntilASnapshotTakenAfterItIsCleared() {
        DirtyKeys dirty = new DirtyKeys(Duration.ofMinutes(1));
        long before = dirty.snapshot();
        dirty.beginWrite("k");
        assertThat(dirty.isDirty("k")).isTrue();
        dirty.clearUpTo(Long.MAX_VALUE - 1);
        assertThat(dirty.isDirty("k")).as("in flight: never cleared").isTrue();
        dirty.endWrite("k");
        dirty.clearUpTo(before);
        assertThat(dirty.isDirty("k")).as("snapshot predates the reply").isTrue();
        long after = dirty.snapshot();
        dirty.clearUpTo(after);
        assertThat(dirty.isDirty("k")).isFalse();
        assertThat(dirty.isEmpty()).isTrue();
    }

    @Test
    void overlappingWritesKeepTheKeyDirtyUntilTheLastOneSettled() {
        DirtyKeys dirty = new DirtyKeys(Duration.ofMinutes(1));
        dirty.beginWrite("k");
        dirty.beginWrite("k");
        dirty.endWrite("k");
        dirty.clearUpTo(dirty.snapshot());
        assertThat(dirty.isDirty("k")).isTrue();
        dirty.endWrite("k");
        long snapshot = dirty.snapshot();
        dirty.beginWrite("k"); // a third write starts after the snapshot
        dirty.endWrite("k");
        dirty.clearUpTo(snapshot);
        assertThat(dirty.isDirty("k")).as("the newer write is not covered").isTrue();
    }

    @Test
    void settledMarksExpireAfterTheBackstop() {
        DirtyKeys dirty = new DirtyKeys(Duration.ZERO);
        dirty.beginWrite("k");
        dirty.expireOld();
        assertThat(dirty.size()).as("in flight: kept").isEqualTo(1);
        dirty.endWrite("k");
        dirty.expireOld();
        assertThat(dirty.isEmpty()).isTrue();
    }
}
