package dev.greeter.server.udp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses of this host's interfaces that are up, as a UDP listener without an
 * address binds them: IPv4 first, for messages that read well.
 *
 * @author tcp-greeter team
 */
final class LocalAddresses {

	private static final Logger logger = LoggerFactory.getLogger(LocalAddresses.class);

	private LocalAddresses() {
	}

	/**
	 * The addresses now, or the wildcard address alone if they cannot be listed (its
	 * replies then leave from the address the route picks, which is said in a warning).
	 * @return the addresses
	 */
	static List<InetAddress> list() {
		try {
			List<InetAddress> addresses = listOrFail();
			return addresses.isEmpty() ? List.of(wildcard()) : addresses;
		}
		catch (SocketException ex) {
			logger.warn(
					"Could not list this host's addresses ({}); a UDP listener without an address binds the "
							+ "wildcard address, and its replies leave from the address the route picks",
					ex.getMessage());
			return List.of(wildcard());
		}
	}

	/**
	 * The addresses now.
	 * @return the addresses, maybe none
	 * @throws SocketException if the interfaces cannot be listed
	 */
	static List<InetAddress> listOrFail() throws SocketException {
		List<InetAddress> addresses = new ArrayList<>();
		for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
			if (nic.isUp()) {
				addresses.addAll(Collections.list(nic.getInetAddresses()));
			}
		}
		addresses.sort((a, b) -> Boolean.compare(a instanceof Inet6Address, b instanceof Inet6Address));
		return addresses;
	}

	private static InetAddress wildcard() {
		return new InetSocketAddress(0).getAddress();
	}

}
