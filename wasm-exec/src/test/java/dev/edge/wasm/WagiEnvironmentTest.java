package dev.edge.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One test per input/environment rule of spin-semantics.md ("WAGI executor"). */
class WagiEnvironmentTest {

    private static GuestRequest request(String method, String uri, String body, String... headers) {
        List<Map.Entry<String, String>> list = new java.util.ArrayList<>();
        for (int i = 0; i < headers.length; i += 2) {
            list.add(Map.entry(headers[i], headers[i + 1]));
        }
        return new GuestRequest(method, uri, list, body.getBytes(StandardCharsets.UTF_8), "10.1.2.3:4567", "HTTP/1.1");
    }

    /** As the router sends it for route "/cgi/..." and the request "/cgi/a%20b/c?x=1&y=2". */
    private static GuestRequest routed() {
        return request("POST", "/cgi/a%20b/c?x=1&y=2", "hello",
                "host", "example.com:3000",
                "content-type", "text/plain",
                "user-agent", "curl/8",
                "authorization", "Bearer secret",
                "connection", "keep-alive",
                "x-multi", "one",
                "x-multi", "two",
                "spin-full-url", "http://example.com:3000/cgi/a%20b/c?x=1&y=2",
                "spin-path-info", "/a%20b/c",
                "spin-matched-route", "/cgi/...",
                "spin-base-path", "/",
                "spin-raw-component-route", "/cgi/...",
                "spin-component-route", "/cgi",
                "spin-client-addr", "10.1.2.3:4567");
    }

    @Test
    void argvReplacesScriptNameWithThePathAndArgsWithTheQuerySpaceSeparated() {
        assertThat(WagiEnvironment.argv("${SCRIPT_NAME} ${ARGS}", routed()))
                .containsExactly("/cgi/a%20b/c", "x=1", "y=2");
    }

    @Test
    void argvKeepsEmptyArgumentsLikeSpinsSplit() {
        assertThat(WagiEnvironment.argv("${SCRIPT_NAME} ${ARGS}", request("GET", "/p", "")))
                .containsExactly("/p", "");
        assertThat(WagiEnvironment.argv("prog --name=${SCRIPT_NAME}  ${ARGS}", request("GET", "/p?a", "")))
                .containsExactly("prog", "--name=/p", "", "a");
    }

    @Test
    void standardCgiVariables() {
        Map<String, String> env = WagiEnvironment.variables(routed());
        assertThat(env).containsEntry("REQUEST_METHOD", "POST")
                .containsEntry("QUERY_STRING", "x=1&y=2")
                .containsEntry("CONTENT_LENGTH", "5")
                .containsEntry("CONTENT_TYPE", "text/plain")
                .containsEntry("GATEWAY_INTERFACE", "CGI/1.1")
                .containsEntry("SERVER_SOFTWARE", "WAGI/1")
                .containsEntry("SERVER_NAME", "example.com")
                .containsEntry("SERVER_PORT", "3000")
                .containsEntry("SERVER_PROTOCOL", "HTTP/1.1")
                .containsEntry("REMOTE_ADDR", "10.1.2.3")
                .containsEntry("REMOTE_HOST", "10.1.2.3")
                .containsEntry("AUTH_TYPE", "")
                .containsEntry("REMOTE_USER", "");
    }

    @Test
    void scriptNameIsTheRouteWithoutTheWildcardAndPathInfoTheRawRemainder() {
        Map<String, String> env = WagiEnvironment.variables(routed());
        assertThat(env).containsEntry("SCRIPT_NAME", "/cgi")
                .containsEntry("PATH_INFO", "/a%20b/c")
                .containsEntry("X_RAW_PATH_INFO", "/a%20b/c")
                .containsEntry("PATH_TRANSLATED", "/a b/c");
    }

    @Test
    void spinHeadersBecomeXVariables() {
        Map<String, String> env = WagiEnvironment.variables(routed());
        assertThat(env).containsEntry("X_FULL_URL", "http://example.com:3000/cgi/a%20b/c?x=1&y=2")
                .containsEntry("X_MATCHED_ROUTE", "/cgi/...")
                .containsEntry("X_COMPONENT_ROUTE", "/cgi")
                .containsEntry("X_RAW_COMPONENT_ROUTE", "/cgi/...")
                .containsEntry("X_BASE_PATH", "/")
                .containsEntry("X_CLIENT_ADDR", "10.1.2.3:4567")
                .doesNotContainKeys("HTTP_SPIN_FULL_URL", "HTTP_SPIN_PATH_INFO");
    }

    @Test
    void pathMatchParametersBecomeXPathMatchVariables() {
        Map<String, String> env = WagiEnvironment.variables(request("GET", "/users/42", "",
                "spin-path-match-user-id", "42", "spin-component-route", "/users/:user_id"));
        assertThat(env).containsEntry("X_PATH_MATCH_USER_ID", "42");
    }

    @Test
    void requestHeadersBecomeHttpVariablesExceptAuthorizationAndConnection() {
        Map<String, String> env = WagiEnvironment.variables(routed());
        assertThat(env).containsEntry("HTTP_HOST", "example.com:3000")
                .containsEntry("HTTP_USER_AGENT", "curl/8")
                .containsEntry("HTTP_CONTENT_TYPE", "text/plain")
                .containsEntry("HTTP_X_MULTI", "two")
                .doesNotContainKeys("HTTP_AUTHORIZATION", "HTTP_CONNECTION");
    }

    @Test
    void withoutAHostHeaderSpinsDefaultsApply() {
        Map<String, String> env = WagiEnvironment.variables(request("GET", "/x", ""));
        assertThat(env).containsEntry("SERVER_NAME", "default_host")
                .containsEntry("SERVER_PORT", "80")
                .containsEntry("X_FULL_URL", "http://default_host:80/x")
                .containsEntry("CONTENT_LENGTH", "0")
                .containsEntry("CONTENT_TYPE", "")
                .containsEntry("QUERY_STRING", "");
    }
}
