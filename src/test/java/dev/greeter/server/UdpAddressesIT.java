package dev.greeter.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.greeter.deploy.Tools;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A UDP listener bound to all addresses of a host that has several answers each datagram
 * from the address it was sent to, as conntrack and a client's connected socket demand
 * (kubernetes#98883). The jar runs in a network namespace of its own, whose loopback has
 * 127.0.0.1 and 127.0.0.2, so that the host's network is left alone; {@code socat}, in
 * the same namespace, is the outside client. Its UDP socket is connected, so it accepts
 * only a reply from the address and port it sent to.
 */
class UdpAddressesIT {

	@TempDir
	Path directory;

	@Test
	void replyLeavesFromTheAddressTheRequestWasSentTo() throws Exception {
		Tools.require(Tools.onPath("unshare") && Tools.onPath("ip"), "unshare and ip",
				"apt-get install -y --no-install-recommends util-linux iproute2");
		Tools.require(Tools.onPath("socat"), "socat", "apt-get install -y --no-install-recommends socat");
		String java = ProcessHandle.current().info().command().orElse("java");
		Path log = this.directory.resolve("server.log");
		Path script = Files.writeString(this.directory.resolve("run.sh"), """
				set -u
				ip link set lo up && ip addr add 127.0.0.2/8 dev lo || exit 2
				"$JAVA" -jar target/tcp-greeter.jar --server.port=0 --greeter.server.port=0 \\
				  --spring.main.banner-mode=off --greeter.listeners.syslog.protocol=udp \\
				  --greeter.listeners.syslog.port=8514 '--greeter.listeners.syslog.greeting=hello ${client.address}' \\
				  --greeter.server.port-file="$LOG.ports" >"$LOG" 2>&1 &
				pid=$!
				trap 'kill $pid; wait $pid' EXIT
				for i in $(seq 1 600); do
				  test -f "$LOG.ports" && break
				  kill -0 $pid 2>/dev/null || { echo "server ended"; exit 3; }
				  sleep 0.1
				done
				for to in 127.0.0.1 127.0.0.2; do
				  echo "to $to: $(echo ping | timeout 10 socat -T 3 - UDP:$to:8514,bind=127.0.0.1)"
				done
				""");
		Tools.Result result = Tools.run(Duration.ofMinutes(2), Map.of("JAVA", java, "LOG", log.toString()), "unshare",
				"-rn", "bash", script.toString());
		String server = Files.exists(log) ? Files.readString(log) : "";
		assertThat(result.output()).as("%s%n%s", result.output(), server)
			.contains("to 127.0.0.1: hello 127.0.0.1\r\n")
			.contains("to 127.0.0.2: hello 127.0.0.1\r\n");
		assertThat(server).contains("Greeting server listening on UDP port 8514 (all interfaces), listener 'syslog'");
	}

}
