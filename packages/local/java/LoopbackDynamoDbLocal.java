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
 * Once Jetty has bound its port it prints one line naming it (READY_LINE), so the parent knows that this process, and
 * not another that took the same port, is the one answering.
 *
 * Run with java's source-file mode (java LoopbackDynamoDbLocal.java ...), so no compiled class is kept in git.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("cbm.host", "127.0.0.1");
    // -Dcbm.anyPort=true: Jetty binds a port the kernel picks (the jar's own -port refuses 0), so two starts never race
    // for one "free" port.
    boolean anyPort = Boolean.getBoolean("cbm.anyPort");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      if (!(connector instanceof ServerConnector)) {
        throw new IllegalStateException("DynamoDB Local has an unexpected connector, cannot bind it to " + host + ": " + connector);
      }
      ((ServerConnector) connector).setHost(host);
      if (anyPort) ((ServerConnector) connector).setPort(0);
    }
    Thread watchdog = new Thread(LoopbackDynamoDbLocal::exitWhenParentGoes, "cbm-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    proxy.start();
    // The port this process really listens on, once it does: the parent waits for this line rather than for any HTTP
    // answer on the port, which another process that took the same free port first could give.
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    System.out.println(READY_LINE + port);
    System.out.flush();
  }

  /** What the parent (local/src/dynamo-local.ts) reads on standard output. */
  private static final String READY_LINE = "CBM DynamoDB Local listening on port ";

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
