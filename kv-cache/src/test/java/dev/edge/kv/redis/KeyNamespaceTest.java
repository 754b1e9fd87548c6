package dev.edge.kv.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edge.kv.KvException;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyNamespaceTest {

    @Test
    void keysAreHashTaggedPerAppAndLabel() {
        KeyNamespace ns = new KeyNamespace("shop", "default");
        assertThat(ns.redisKey("cart:1")).isEqualTo("edge:{shop/default}:cart:1");
        assertThat(ns.userKey("edge:{shop/default}:cart:1")).isEqualTo("cart:1");
        assertThat(ns.userKey("edge:{shop/other}:cart:1")).isNull();
    }

    @Test
    void appAndLabelAreEscapedSoPrefixesCannotCollide() {
        KeyNamespace a = new KeyNamespace("a/b", "c");
        KeyNamespace b = new KeyNamespace("a", "b/c");
        KeyNamespace c = new KeyNamespace("a}:x", "y");
        assertThat(a.prefix()).isEqualTo("edge:{a%2Fb/c}:");
        assertThat(b.prefix()).isEqualTo("edge:{a/b%2Fc}:");
        assertThat(c.prefix()).isEqualTo("edge:{a%7D%3Ax/y}:");
        assertThat(List.of(a.prefix(), b.prefix(), c.prefix())).doesNotHaveDuplicates();
        // no prefix is a prefix of another store's prefix
        assertThat(a.prefix()).doesNotStartWith(new KeyNamespace("a", "b").prefix());
        assertThat(new KeyNamespace("ключ", "l").prefix()).isEqualTo("edge:{%D0%BA%D0%BB%D1%8E%D1%87/l}:");
    }

    @Test
    void matchPatternEscapesGlobCharacters() {
        KeyNamespace ns = new KeyNamespace("app", "l");
        assertThat(ns.matchPattern("a*[x]?\\")).isEqualTo("edge:{app/l}:a\\*\\[x\\]\\?\\\\*");
        assertThat(ns.matchPattern("")).isEqualTo("edge:{app/l}:*");
    }

    @Test
    void scanTokenRoundTripsPendingKeys() {
        ScanToken token = new ScanToken("1234", List.of("a.b", "ключ", ""));
        ScanToken parsed = ScanToken.parse(token.format());
        assertThat(parsed).isEqualTo(token);
        assertThat(ScanToken.parse(null).scanCursor()).isEqualTo("0");
        assertThatThrownBy(() -> ScanToken.parse("garbage")).isInstanceOf(KvException.class);
        assertThatThrownBy(() -> ScanToken.parse("s1.12x")).isInstanceOf(KvException.class);
    }

    @Test
    void replicationInfoUsesTheReplicaOffsetOnReplicas() {
        ReplicationInfo primary = ReplicationInfo.parse("# Replication\r\nrole:master\r\nconnected_slaves:1\r\n"
                + "master_replid:abc\r\nmaster_repl_offset:100\r\n");
        ReplicationInfo replica = ReplicationInfo.parse("# Replication\r\nrole:slave\r\nmaster_link_status:up\r\n"
                + "slave_repl_offset:90\r\nmaster_replid:abc\r\nmaster_repl_offset:90\r\n");
        assertThat(replica.replica()).isTrue();
        assertThat(replica.offset()).isEqualTo(90);
        assertThat(replica.hasCaughtUpWith(primary)).isFalse();
        ReplicationInfo caughtUp = new ReplicationInfo("abc", 100, true, true);
        assertThat(caughtUp.hasCaughtUpWith(primary)).isTrue();
        assertThat(new ReplicationInfo("other", 500, true, true).hasCaughtUpWith(primary)).isFalse();
    }
}
