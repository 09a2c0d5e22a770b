import java.io.IOException;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local listening on one address (127.0.0.1 unless -Dcbm.host says otherwise).
 *
 * The jar has no option for the listen address: DynamoDBProxyServer builds its Jetty server with new Server(port),
 * which listens on every interface, so anyone on the network could read and write CBM's records (approvals
 * included). This launcher builds the server exactly as the jar's own main does, from the same flags, sets the host
 * on its connector before it starts, and starts it. Telemetry is never configured, so it cannot be sent.
 *
 * It also exits when its standard input reaches end-of-file. Local mode holds the other end of that pipe, so when
 * local mode dies, even by SIGKILL, DynamoDB Local does not outlive it.
 *
 * Run with java's source-file mode (java LoopbackDynamoDbLocal.java ...), so no compiled class is kept in git.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("cbm.host", "127.0.0.1");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      if (!(connector instanceof ServerConnector)) {
        throw new IllegalStateException("DynamoDB Local has an unexpected connector, cannot bind it to " + host + ": " + connector);
      }
      ((ServerConnector) connector).setHost(host);
    }
    Thread watchdog = new Thread(LoopbackDynamoDbLocal::exitWhenParentGoes, "cbm-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    proxy.start();
  }

  private static void exitWhenParentGoes() {
    try {
      while (System.in.read() != -1) {
        // Nothing is ever sent; only the end of the stream matters.
      }
    } catch (IOException e) {
      // A broken pipe means the same as end-of-file.
    }
    System.exit(0);
  }
}
