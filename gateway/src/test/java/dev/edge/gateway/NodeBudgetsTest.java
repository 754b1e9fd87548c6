package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.ExecutionConfig;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The start-up check of the memory budgets against the JVM's max heap. */
class NodeBudgetsTest {

    @Test
    void defaultBudgetsAreSharesOfTheMaxHeapAndFitIt() {
        NodeBudgets budgets = NodeBudgets.of(ExecutionConfig.DEFAULTS);
        long heap = Runtime.getRuntime().maxMemory();
        assertThat(budgets.guestMemory().capacity()).isEqualTo((long) (heap * 0.5));
        assertThat(budgets.bodies().capacity()).isEqualTo((long) (heap * 0.2));
        assertThat(budgets.heapWarning(heap)).isEmpty();
    }

    @Test
    void budgetsPastThreeQuartersOfTheHeapAreReportedInOneLine() {
        NodeBudgets budgets = NodeBudgets.of(new ExecutionConfig(OptionalLong.of(512L << 20), OptionalLong.of(64L << 20),
                OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()));
        assertThat(budgets.heapWarning(1L << 30)).isEmpty(); // 576 MiB <= 768 MiB
        assertThat(budgets.heapWarning(256L << 20)).contains("memory budgets (guest memory 512 MiB + body buffers "
                + "64 MiB = 576 MiB) exceed 75% of the JVM max heap (256 MiB); raise -Xmx to at least 768 MiB or "
                + "lower the budgets");
    }
}
