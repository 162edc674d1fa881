import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * The baseline for bench/run.sh: the smallest Java greeting server, a thread that accepts, writes the
 * greeting and closes, with no framework, no drain and no metrics. tcp-greeter's figures are read as a
 * ratio to this one, measured in the same run.
 * <p>
 * With THREADS above 1, each thread accepts from a listening channel of its own, all bound to the one port
 * with SO_REUSEPORT, so that the kernel spreads the connections over them (nginx's {@code reuseport}):
 * what a Java server that does nothing else reaches when it uses every core. With one thread it is the
 * plain {@code ServerSocket} loop of the earlier figures.
 *
 * java bench/BareServer.java PORT [THREADS, default 1]
 */
public class BareServer {

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		int threads = (args.length > 1) ? Integer.parseInt(args[1]) : 1;
		byte[] greeting = "Hello World! This is Bhushan\r\n".getBytes(StandardCharsets.US_ASCII);
		InetAddress loopback = InetAddress.getLoopbackAddress();
		if (threads <= 1) {
			ServerSocket server = new ServerSocket(port, 1024, loopback);
			System.out.println("listening on " + server.getLocalPort() + " with 1 thread");
			serve(server::accept, greeting);
			return;
		}
		for (int i = 0; i < threads; i++) {
			ServerSocketChannel server = ServerSocketChannel.open();
			server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
			server.bind(new InetSocketAddress(loopback, port), 1024);
			port = server.socket().getLocalPort();
			new Thread(() -> serve(() -> server.accept().socket(), greeting), "accept-" + i).start();
		}
		System.out.println("listening on " + port + " with " + threads + " threads");
	}

	private static void serve(Callable<Socket> accept, byte[] greeting) {
		while (true) {
			try (Socket socket = accept.call()) {
				OutputStream output = socket.getOutputStream();
				output.write(greeting);
			}
			catch (Exception ex) {
				// a client that went away; the next one is served
			}
		}
	}

}
