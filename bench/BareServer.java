import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The baseline for bench/run.sh: the smallest Java greeting server, a single thread that accepts, writes
 * the greeting and closes, with no framework, no drain and no metrics. tcp-greeter's figures are read as
 * a ratio to this one, measured in the same run.
 *
 * java bench/BareServer.java PORT
 */
public class BareServer {

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		byte[] greeting = "Hello World! This is Bhushan\r\n".getBytes(StandardCharsets.US_ASCII);
		try (ServerSocket server = new ServerSocket(port, 1024, InetAddress.getLoopbackAddress())) {
			System.out.println("listening on " + server.getLocalPort());
			while (true) {
				try (Socket socket = server.accept()) {
					OutputStream output = socket.getOutputStream();
					output.write(greeting);
				}
				catch (Exception ex) {
					// a client that went away; the next one is served
				}
			}
		}
	}

}
