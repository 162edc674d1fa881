package dev.greeter.server.udp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.deploy.Tools;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A UDP listener without an address answers a datagram sent to any local address from
 * that address, as conntrack and a client's connected socket demand (kubernetes#98883),
 * including an address added after start-up, and stops serving one that is removed.
 * <p>
 * The jar runs in a network namespace of its own, so that the host's network is left
 * alone: its loopback has 127.0.0.1 and ::1, and the script adds and removes 198.51.100.7
 * (TEST-NET-2, documentation only) while the server runs. Two outside clients in the same
 * namespace: {@code socat}, whose UDP socket is connected, so it accepts only a reply
 * from the address and port it sent to, and a Python client that prints the address each
 * reply came from. 127.0.0.2 is local (Linux delivers all of 127.0.0.0/8) but no
 * interface's address: on Java 22 and later it is answered from itself, on 17 the
 * datagram is dropped and counted as {@code unknown_destination}, never answered from
 * another address. A third program cannot bind the listener's address and port with
 * {@code SO_REUSEADDR}, as a program of any user could while the listener's sockets
 * shared their port that way (they share it with {@code SO_REUSEPORT}: same user only).
 */
class UdpAddressesIT {

	private static final String CLIENT = """
			import socket, sys
			host, port = sys.argv[1], int(sys.argv[2])
			family = socket.AF_INET6 if ':' in host else socket.AF_INET
			s = socket.socket(family, socket.SOCK_DGRAM)
			s.settimeout(3)
			s.sendto(b'', (host, port))
			try:
			    data, source = s.recvfrom(2048)
			    print('from %s: %s' % (source[0], data.decode().strip()))
			except socket.timeout:
			    print('no reply')
			""";

	// Another program's socket, as a program of any user can open one: SO_REUSEADDR, on
	// the listener's address and port.
	private static final String OTHER = """
			import socket, sys
			s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
			s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
			try:
			    s.bind((sys.argv[1], int(sys.argv[2])))
			    print('bound')
			except OSError as e:
			    print('refused, errno %d' % e.errno)
			""";

	@TempDir
	Path directory;

	@Test
	void answersEveryLocalAddressFromThatAddressIncludingOnesAddedLater() throws Exception {
		Tools.require(Tools.onPath("unshare") && Tools.onPath("ip"), "unshare and ip",
				"apt-get install -y --no-install-recommends util-linux iproute2");
		Tools.require(Tools.onPath("socat"), "socat", "apt-get install -y --no-install-recommends socat");
		Tools.require(Tools.onPath("python3"), "python3", "apt-get install -y --no-install-recommends python3");
		String java = ProcessHandle.current().info().command().orElse("java");
		Path log = this.directory.resolve("server.log");
		Path client = Files.writeString(this.directory.resolve("client.py"), CLIENT);
		Path other = Files.writeString(this.directory.resolve("other.py"), OTHER);
		Path script = Files.writeString(this.directory.resolve("run.sh"), """
				set -u
				ip link set lo up || exit 2
				"$JAVA" -jar target/tcp-greeter.jar --server.port=0 --greeter.server.port=0 \\
				  --spring.main.banner-mode=off --greeter.listeners.syslog.protocol=udp \\
				  --greeter.listeners.syslog.port=8514 '--greeter.listeners.syslog.greeting=hello ${client.address}' \\
				  --greeter.listeners.syslog.udp.address-check-interval=500ms \\
				  --management.endpoint.health.show-components=always \\
				  --management.endpoint.health.show-details=always \\
				  --greeter.server.port-file="$LOG.ports" >"$LOG" 2>&1 &
				pid=$!
				trap 'kill $pid; wait $pid' EXIT
				for i in $(seq 1 600); do
				  test -f "$LOG.ports" && break
				  kill -0 $pid 2>/dev/null || { echo "server ended"; exit 3; }
				  sleep 0.1
				done
				web=$(sed -n 's/^local.server.port=//p' "$LOG.ports")
				scrape() {
				  python3 -c "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).read().decode())" \\
				    "http://127.0.0.1:$web/actuator/$1"
				}
				await() {
				  for i in $(seq 1 100); do grep -q "$1" "$LOG" && return 0; sleep 0.1; done
				  echo "not logged within 10 s: $1"
				}
				ask() {
				  case $1 in *:*) target="[$1]";; *) target=$1;; esac
				  echo "socat to $1: $(echo ping | timeout 10 socat -T 3 - "UDP:$target:8514" 2>&1)"
				  echo "python to $1: $(timeout 10 python3 "$CLIENT" "$1" 8514)"
				}
				ask 127.0.0.1
				ask ::1
				ask 127.0.0.2
				echo "another program's bind to 127.0.0.1: $(python3 "$OTHER" 127.0.0.1 8514)"
				echo "another program's bind to 0.0.0.0: $(python3 "$OTHER" 0.0.0.0 8514)"
				ip addr add 198.51.100.7/32 dev lo
				await "now answers on 198.51.100.7 port 8514"
				ask 198.51.100.7
				echo "health: $(scrape health/greetingServer)"
				ip addr del 198.51.100.7/32 dev lo
				await "no longer answers on 198.51.100.7 port 8514"
				echo "health after: $(scrape health/greetingServer)"
				scrape prometheus | grep '^greeter_datagram'
				""");
		Tools.Result result = Tools.run(Duration.ofMinutes(2),
				Map.of("JAVA", java, "LOG", log.toString(), "CLIENT", client.toString(), "OTHER", other.toString()),
				"unshare", "-rn", "bash", script.toString());
		String server = Files.exists(log) ? Files.readString(log) : "";
		String output = result.output();
		assertThat(output).as("%s%n%s", output, server)
			.contains("socat to 127.0.0.1: hello 127.0.0.1\r\n")
			.contains("python to 127.0.0.1: from 127.0.0.1: hello 127.0.0.1\n")
			.contains("socat to ::1: hello ::1\r\n")
			.contains("python to ::1: from ::1: hello ::1\n")
			.doesNotContain("not logged within")
			// SO_REUSEPORT, not SO_REUSEADDR: no other program can bind the port and take
			// the datagrams (EADDRINUSE).
			.contains("another program's bind to 127.0.0.1: refused, errno 98")
			.contains("another program's bind to 0.0.0.0: refused, errno 98")
			// Added after start-up: its own socket within the check interval, on every
			// runtime.
			.contains("socat to 198.51.100.7: hello 198.51.100.7\r\n")
			.contains("python to 198.51.100.7: from 198.51.100.7: hello 198.51.100.7\n")
			.containsPattern("health: .*\"addresses\":\\[\"127.0.0.1\",\"198.51.100.7\",\"::1\"\\]")
			.containsPattern("health after: .*\"addresses\":\\[\"127.0.0.1\",\"::1\"\\]");
		if (Runtime.version().feature() >= 22) {
			assertThat(output).as("%s%n%s", output, server)
				.contains("socat to 127.0.0.2: hello 127.0.0.1\r\n")
				.contains("python to 127.0.0.2: from 127.0.0.2: hello 127.0.0.1\n")
				.contains("greeter_datagrams_received_total{listener=\"syslog\"} 8.0")
				.contains("greeter_datagram_replies_total{listener=\"syslog\"} 8.0")
				.contains("greeter_datagrams_dropped_total{listener=\"syslog\",reason=\"unknown_destination\"} 0.0");
			assertThat(server).contains(
					"Greeting server listening on UDP port 8514 (all local addresses, watched every 500ms), listener "
							+ "'syslog'");
		}
		else {
			// Never answered from another address: dropped, and counted.
			assertThat(output).as("%s%n%s", output, server)
				.contains("python to 127.0.0.2: no reply")
				.doesNotContain("socat to 127.0.0.2: hello")
				.contains("greeter_datagrams_received_total{listener=\"syslog\"} 8.0")
				.contains("greeter_datagram_replies_total{listener=\"syslog\"} 6.0")
				.contains("greeter_datagrams_dropped_total{listener=\"syslog\",reason=\"unknown_destination\"} 2.0");
			assertThat(server).contains("Greeting server listening on UDP port 8514 (the interfaces' addresses, "
					+ "watched every 500ms; datagrams to other local addresses are dropped: reading a datagram's "
					+ "destination needs Java 22 or later; this is Java " + Runtime.version().feature()
					+ "), listener 'syslog'");
		}
	}

}
