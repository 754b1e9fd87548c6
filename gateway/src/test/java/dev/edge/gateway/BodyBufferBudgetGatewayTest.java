package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.routes.FreePort;
import dev.edge.routes.RawHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Buffered request bodies are bounded as a whole (issue 9): 150 clients that each hold a partly sent 2 MiB body
 * cannot exhaust a 256 MiB heap. Those past the body-buffer budget get 503 at once; the others are served when
 * their bodies complete, and the gateway stays healthy. The real gateway in its own JVM ({@link GatewayProcess}).
 */
class BodyBufferBudgetGatewayTest {
    private static final int CLIENTS = 150;
    private static final int BODY = 2 << 20;
    private static final int SENT_FIRST = 256 * 1024;

    @TempDir
    Path temp;

    @Test
    void partlySentBodiesPastTheBudgetGet503NeverOutOfMemoryError() throws Exception {
        int port = FreePort.next();
        try (GatewayProcess gateway = GatewayProcess.startWithJvmOptions(List.of("-Xmx256m"), "up",
                "--from", Path.of("../examples/hello-world/spin.toml").toString(),
                "--listen", "127.0.0.1:" + port, "--state-dir", temp.resolve("state").toString()).awaitServing()) {
            byte[] part = new byte[SENT_FIRST];
            Arrays.fill(part, (byte) 'a');
            List<RawHttp> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    RawHttp client = new RawHttp(port);
                    client.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + BODY + "\r\n\r\n");
                    client.drip(new String(part, java.nio.charset.StandardCharsets.ISO_8859_1));
                    clients.add(client);
                }
                assertThat(health(port)).as("health while %d bodies are held", CLIENTS).isEqualTo(200);

                byte[] rest = new byte[BODY - SENT_FIRST];
                Arrays.fill(rest, (byte) 'b');
                String restText = new String(rest, java.nio.charset.StandardCharsets.ISO_8859_1);
                int ok = 0;
                int refused = 0;
                for (RawHttp client : clients) {
                    client.drip(restText); // a refused client's connection may be closed already
                    RawHttp.Reply reply = client.readReply();
                    assertThat(reply.status()).as(reply.text()).isIn(200, 503);
                    if (reply.status() == 200) {
                        ok++;
                    } else {
                        refused++;
                    }
                }
                assertThat(refused).as("refused past the budget").isPositive();
                assertThat(ok).as("served within the budget").isPositive();
            } finally {
                for (RawHttp client : clients) {
                    client.close();
                }
            }
            assertThat(health(port)).isEqualTo(200);
            assertThat(String.join("\n", gateway.stdout()) + String.join("\n", gateway.stderr()))
                    .doesNotContain("OutOfMemoryError");
        }
    }

    private static int health(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/.well-known/spin/health")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
