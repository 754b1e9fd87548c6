import io.undertow.Undertow;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import java.net.URI;

/**
 * Undertow's own reverse proxy with nothing of edge's: one LoadBalancingProxyClient to one upstream, as a baseline
 * for edge's proxy CPU per request. Run with edge's jar on the class path (single-file source launch); the optional
 * third argument is the number of IO threads (Undertow's default, as edge's: max(cores, 2)):
 *   java -cp gateway/target/edge.jar loadtest/scripts/RawUndertowProxy.java 127.0.0.1:3012 http://127.0.0.1:8090 [1]
 */
public class RawUndertowProxy {
    public static void main(String[] args) throws Exception {
        String[] listen = args[0].split(":");
        LoadBalancingProxyClient client = new LoadBalancingProxyClient()
                .setConnectionsPerThread(512).setSoftMaxConnectionsPerThread(64).setTtl(60_000)
                .addHost(new URI(args[1]));
        ProxyHandler proxy = ProxyHandler.builder().setProxyClient(client).setMaxRequestTime(-1)
                .setNext(exchange -> exchange.setStatusCode(503)).build();
        Undertow.Builder server = Undertow.builder().addHttpListener(Integer.parseInt(listen[1]), listen[0]).setHandler(proxy);
        if (args.length > 2) {
            server.setIoThreads(Integer.parseInt(args[2]));
        }
        server.build().start();
    }
}
