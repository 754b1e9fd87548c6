package dev.edge.component.spin.variables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.component.abi.Variant;
import dev.edge.component.wasi.TestHostContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpinVariablesTest {
    private final TestHostContext cx = new TestHostContext()
            .with(new VariablesState("api", Map.of("api_key", "s3cret", "region", "eu")));

    @Test
    void aDefinedVariableIsItsResolvedValue() {
        assertThat(cx.call(SpinVariables.variables(), "get", "api_key")).isEqualTo(Variant.ok("s3cret"));
        assertThat(cx.call(SpinVariables.wasiConfigStore(), "get", "region")).isEqualTo(Variant.ok(Variant.some("eu")));
    }

    @Test
    void anUndefinedVariableIsUndefinedAndNoneInWasiConfig() {
        assertThat(cx.call(SpinVariables.variables(), "get", "other"))
                .isEqualTo(Variant.err(new Variant(1, "no variable for \"api\".\"other\"")));
        assertThat(cx.call(SpinVariables.wasiConfigStore(), "get", "other")).isEqualTo(Variant.ok(Variant.none()));
    }

    @Test
    void namesFollowSpinsKeyRules() {
        for (String bad : List.of("", "API_KEY", "1abc", "a__b", "abc_", "a-b", "_a")) {
            Variant result = (Variant) cx.call(SpinVariables.variables(), "get", bad);
            assertThat(((Variant) result.payload()).index()).as(bad).isEqualTo(0);
            assertThat(cx.call(SpinVariables.wasiConfigStore(), "get", bad)).isEqualTo(Variant.ok(Variant.none()));
        }
        assertThat(((Variant) cx.call(SpinVariables.variables(), "get", "a_1")).index()).isEqualTo(1);
    }

    @Test
    void getAllListsTheComponentsVariables() {
        Variant all = (Variant) cx.call(SpinVariables.wasiConfigStore(), "get-all");
        assertThat((List<?>) all.payload()).usingRecursiveComparison()
                .isEqualTo(List.of(new Object[] {"api_key", "s3cret"}, new Object[] {"region", "eu"}));
    }
}
