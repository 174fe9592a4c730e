// Starts DynamoDB Local bound to one host address (127.0.0.1 by default).
//
// DynamoDB Local's own entry point (com.amazonaws.services.dynamodbv2.local.main.ServerRunner)
// has no host option: DynamoDBProxyServer builds its embedded Jetty with `new Server(port)`,
// whose ServerConnector listens on every interface. This launcher lets ServerRunner build
// the server from the usual command line (-inMemory, -sharedDb, -port, -disableTelemetry, ...),
// then sets the host of the Jetty connectors *before* the server is started, so the socket
// is only ever opened on the loopback address.
//
// Compiled by infra/emulators.sh install (javac, against the DynamoDBLocal jars) into
// .cache/dynamodb-local/classes. Host: -Dstackdesk.dynamodb.host=ADDR (default 127.0.0.1).
import com.amazonaws.services.dynamodbv2.local.main.CommandLineInput;
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public final class LoopbackServerRunner {
    private LoopbackServerRunner() {}

    public static void main(String[] args) throws Exception {
        String host = System.getProperty("stackdesk.dynamodb.host", "127.0.0.1");

        CommandLineInput input = new CommandLineInput(args);
        if (!input.init()) {
            // init() printed the usage (e.g. -help); nothing to run.
            return;
        }

        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);

        Field f = DynamoDBProxyServer.class.getDeclaredField("server");
        f.setAccessible(true);
        Server jetty = (Server) f.get(proxy);

        int bound = 0;
        for (Connector c : jetty.getConnectors()) {
            if (c instanceof ServerConnector) {
                ((ServerConnector) c).setHost(host);
                bound++;
            }
        }
        if (bound == 0) {
            System.err.println("LoopbackServerRunner: no ServerConnector found; refusing to start on all interfaces");
            System.exit(2);
        }

        // DynamoDBProxyServer.start() swallows a bind failure (prints it and stops Jetty),
        // so check the outcome ourselves and fail loudly.
        proxy.start();
        if (!jetty.isStarted()) {
            System.err.println("LoopbackServerRunner: DynamoDB Local failed to start on " + host + ":" + input.getPort());
            System.exit(1);
        }
        System.out.println("LoopbackServerRunner: DynamoDB Local listening on " + host + ":" + input.getPort());
        proxy.join();
    }
}
