package dev.greeter.probe;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.jspecify.annotations.Nullable;

/**
 * One probe of one address, made and timed on the calling thread: connect, the PROXY
 * header if configured, the TLS handshake for a {@code tls://} target, then read to the
 * end of the greeting; or, for UDP, one request and its reply. The timeout bounds
 * connecting, then the whole greeting.
 *
 * @author tcp-greeter team
 */
final class Exchange {

	private final ProbeProperties.Target target;

	private final @Nullable SSLContext tls;

	private final int timeoutMillis;

	private final int maxSize;

	Exchange(ProbeProperties.Target target, @Nullable SSLContext tls) {
		this.target = target;
		this.tls = tls;
		this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, target.timeout().toMillis());
		this.maxSize = (int) target.maxSize().toBytes();
	}

	Attempt probe(InetSocketAddress address) {
		return "udp".equals(this.target.scheme()) ? datagram(address) : stream(address);
	}

	private Attempt stream(InetSocketAddress address) {
		long start = System.nanoTime();
		long connected = -1;
		long handshake = -1;
		long expiry = -1;
		boolean handshaking = false;
		try (Socket socket = new Socket()) {
			try {
				socket.connect(address, this.timeoutMillis);
			}
			catch (IOException ex) {
				return Attempt.failed(Outcome.ofConnect(ex), -1, -1, -1);
			}
			connected = System.nanoTime() - start;
			long deadline = System.nanoTime() + this.target.timeout().toNanos();
			this.target.proxy().sendOn(socket);
			Socket served = socket;
			if (this.tls != null) {
				handshaking = true;
				long begun = System.nanoTime();
				SSLSocket secure = layer(socket, address);
				secure.setSoTimeout(this.timeoutMillis);
				secure.startHandshake();
				handshake = System.nanoTime() - begun;
				handshaking = false;
				Certificate[] chain = secure.getSession().getPeerCertificates();
				if (chain.length > 0 && chain[0] instanceof X509Certificate certificate) {
					expiry = certificate.getNotAfter().toInstant().getEpochSecond();
				}
				served = secure;
			}
			byte[] greeting = readToEnd(served, deadline);
			return greeted(greeting, connected, handshake, System.nanoTime() - start, expiry);
		}
		catch (SSLException ex) {
			return Attempt.failed(handshaking ? Outcome.TLS : Outcome.RESET, connected, handshake, expiry);
		}
		catch (GreetingTooLarge ex) {
			return Attempt.failed(Outcome.TOO_LARGE, connected, handshake, expiry);
		}
		catch (IOException ex) {
			return Attempt.failed(Outcome.ofRead(ex), connected, handshake, expiry);
		}
	}

	private SSLSocket layer(Socket socket, InetSocketAddress address) throws IOException {
		// The name in the URL, not the address it resolved to: SNI and the certificate
		// check are about the name.
		SSLSocket secure = (SSLSocket) this.tls.getSocketFactory()
			.createSocket(socket, this.target.host(), address.getPort(), true);
		SSLParameters parameters = secure.getSSLParameters();
		parameters.setEndpointIdentificationAlgorithm("HTTPS");
		secure.setSSLParameters(parameters);
		return secure;
	}

	private byte[] readToEnd(Socket socket, long deadline) throws IOException {
		InputStream input = socket.getInputStream();
		ByteArrayOutputStream greeting = new ByteArrayOutputStream();
		byte[] buffer = new byte[Math.min(8192, this.maxSize + 1)];
		while (true) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				throw new SocketTimeoutException("greeting timed out");
			}
			socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, remaining / 1_000_000)));
			int read = input.read(buffer);
			if (read < 0) {
				return greeting.toByteArray();
			}
			greeting.write(buffer, 0, read);
			if (greeting.size() > this.maxSize) {
				throw new GreetingTooLarge();
			}
		}
	}

	private Attempt datagram(InetSocketAddress address) {
		long start = System.nanoTime();
		// A connected socket takes a reply from the address asked only, and hears "port
		// unreachable"; it cannot send an empty datagram, so an empty payload is a
		// newline.
		byte[] request = this.target.payload().isEmpty() ? new byte[] { '\n' }
				: this.target.payload().getBytes(StandardCharsets.UTF_8);
		try (DatagramSocket socket = new DatagramSocket()) {
			socket.connect(address);
			socket.setSoTimeout(this.timeoutMillis);
			socket.send(new DatagramPacket(request, request.length));
			byte[] buffer = new byte[65_536];
			DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
			socket.receive(reply);
			if (reply.getLength() > this.maxSize) {
				return Attempt.failed(Outcome.TOO_LARGE, -1, -1, -1);
			}
			byte[] greeting = Arrays.copyOf(buffer, reply.getLength());
			return greeted(greeting, -1, -1, System.nanoTime() - start, -1);
		}
		catch (IOException ex) {
			return Attempt.failed(Outcome.ofRead(ex), -1, -1, -1);
		}
	}

	private Attempt greeted(byte[] bytes, long connected, long handshake, long total, long expiry) throws EOFException {
		if (bytes.length == 0) {
			throw new EOFException("no greeting");
		}
		String text;
		try {
			text = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString();
		}
		catch (CharacterCodingException ex) {
			return Attempt.failed(Outcome.UNEXPECTED, connected, handshake, expiry);
		}
		Pattern expect = this.target.expect();
		if (expect != null && !expect.matcher(text.strip()).matches()) {
			return Attempt.failed(Outcome.UNEXPECTED, connected, handshake, expiry);
		}
		return new Attempt(Outcome.OK, connected, handshake, total, text, expiry);
	}

	/**
	 * More than {@code max-size} arrived.
	 */
	private static final class GreetingTooLarge extends IOException {

		GreetingTooLarge() {
			super("greeting too large");
		}

	}

}
