package dev.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateAndDurationsTest {
    @Test
    void templateReferencesAndRendering() {
        Template t = Template.parse("{{host}}:{{ port }}/{{ host }}");
        assertThat(t.isLiteral()).isFalse();
        assertThat(t.references()).containsExactly("host", "port");
        assertThat(t.render(Map.of("host", "h", "port", "1")::get)).isEqualTo("h:1/h");
        assertThat(Template.parse("plain } text }}").isLiteral()).isTrue();
        assertThat(Template.parse("").render(n -> "x")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{{", "a {{ b", "{{ }}", "{{ Bad }}", "{{ a-b }}", "{{ 1a }}"})
    void malformedTemplates(String text) {
        assertThatThrownBy(() -> Template.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void durations() {
        assertThat(Durations.parse("500ms")).contains(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).contains(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).contains(Duration.ofMinutes(5));
        assertThat(Durations.parse("1h")).contains(Duration.ofHours(1));
        assertThat(Durations.parse(" 2s ")).contains(Duration.ofSeconds(2));
        for (String bad : new String[] {"", "30", "s", "1.5s", "-1s", "1d", "1 s", "30S", "9999999999s"}) {
            assertThat(Durations.parse(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void ids() {
        assertThat(Ids.kebabProblem("hello-key-value-store")).isEmpty();
        assertThat(Ids.kebabProblem("a1-b2")).isEmpty();
        assertThat(Ids.kebabProblem("-a")).isPresent();
        assertThat(Ids.kebabProblem("a-")).isPresent();
        assertThat(Ids.kebabProblem("")).isPresent();
        assertThat(Ids.lowerSnakeProblem("api_key2")).isEmpty();
        assertThat(Ids.lowerSnakeProblem("API_KEY")).contains("must be lowercase");
        assertThat(Ids.isKebabOrSnake("user_data")).isTrue();
        assertThat(Ids.isKebabOrSnake("user-data")).isTrue();
        assertThat(Ids.isKebabOrSnake("user-data_x")).isFalse();
    }
}
