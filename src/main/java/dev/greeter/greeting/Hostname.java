package dev.greeter.greeting;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This host's name for {@code ${hostname}}: the pod or container name in Kubernetes and
 * Docker, which set {@code HOSTNAME}, else the kernel's host name. Read without a DNS
 * lookup where possible, since a lookup can hang on a misconfigured resolver.
 *
 * @author tcp-greeter team
 */
final class Hostname {

	private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

	private Hostname() {
	}

	static String local() {
		String fromEnvironment = System.getenv("HOSTNAME");
		if (fromEnvironment != null && !fromEnvironment.isBlank()) {
			return fromEnvironment.strip();
		}
		try {
			if (Files.isReadable(KERNEL_HOSTNAME)) {
				return Files.readString(KERNEL_HOSTNAME, StandardCharsets.US_ASCII).strip();
			}
			return InetAddress.getLocalHost().getHostName();
		}
		catch (IOException ex) {
			return "localhost";
		}
	}

}
