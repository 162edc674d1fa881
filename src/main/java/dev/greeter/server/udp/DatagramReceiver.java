package dev.greeter.server.udp;

import java.net.DatagramPacket;
import java.util.Arrays;

import org.springframework.integration.ip.IpHeaders;
import org.springframework.integration.ip.udp.inbound.UnicastReceivingChannelAdapter;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Spring Integration's UDP inbound adapter, except that an empty datagram is a request
 * like any other: the framework's mapper drops it, but it is what RFC 865 and 867 clients
 * send, and what {@code nc -u} sends on an empty line. A class of its own so that the
 * level of its framework lifecycle lines can be set apart from the listener's own
 * (application properties).
 *
 * @author tcp-greeter team
 */
final class DatagramReceiver extends UnicastReceivingChannelAdapter {

	DatagramReceiver(int port) {
		super(port);
	}

	@Override
	protected void doSend(DatagramPacket packet) {
		byte[] payload = Arrays.copyOfRange(packet.getData(), packet.getOffset(),
				packet.getOffset() + packet.getLength());
		sendMessage(MessageBuilder.withPayload(payload)
			.setHeader(IpHeaders.PACKET_ADDRESS, packet.getSocketAddress())
			.build());
	}

}
